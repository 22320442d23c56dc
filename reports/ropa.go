package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"datakart/check"
	"datakart/detectors"
	"datakart/inventory"
	"datakart/rules"

	"github.com/xuri/excelize/v2"
)

// ROPARow is one processing location in a records-of-processing export
// (GDPR Art. 30(1)): what was found there and what the policy says about
// it. Fields the policy does not give are left empty, never invented.
type ROPARow struct {
	System          string   // the store: kind and location
	Location        string   // the file or table
	Categories      []string // categories of personal data found
	SpecialCategory bool     // Art. 9 data found
	NationalID      bool     // national identity numbers found
	Confidence      string   // the highest confidence among them
	Declared        string   // "yes", "partly" or "no"
	DataSubjects    string
	Purpose         string
	LegalBasis      string
	Retention       string
	Recipients      string
	Owner           string
	LastScanned     string
}

// ROPAHeader names the export's columns.
var ROPAHeader = []string{
	"System", "Storage location", "Categories of personal data", "Special categories (Art. 9)",
	"National identity numbers", "Highest confidence", "Declared in policy", "Categories of data subjects",
	"Purposes of the processing", "Legal basis", "Time limits for erasure (retention)",
	"Categories of recipients", "Owner", "Last scanned",
}

// ROPARows builds one row per container holding personal data at min
// confidence or above, filled in from the first policy row that declares
// it.
func ROPARows(inv *inventory.Inventory, cfg *rules.Config, rs *rules.Ruleset, min detectors.Confidence) []ROPARow {
	var out []ROPARow
	var policy *check.PolicyIndex
	if cfg != nil {
		policy = check.NewPolicyIndex(cfg.Policy)
	}
	for _, s := range inv.Stores {
		for _, c := range s.Containers {
			row := ROPARow{System: s.Kind + " " + s.Location, Location: c.Name, LastScanned: inv.FinishedAt.UTC().Format("2006-01-02")}
			best := detectors.None
			for _, f := range c.Fields {
				for _, k := range f.Categories {
					if !k.Personal || k.Confidence < min {
						continue
					}
					name := k.ID
					if cat, ok := rs.Category(k.ID); ok && cat.Name != "" {
						name = cat.Name
					}
					if !slices.Contains(row.Categories, name) {
						row.Categories = append(row.Categories, name)
					}
					row.SpecialCategory = row.SpecialCategory || k.Class == rules.ClassSpecialCategory
					row.NationalID = row.NationalID || k.Class == rules.ClassNationalID
					best = max(best, k.Confidence)
				}
			}
			if len(row.Categories) == 0 {
				continue
			}
			slices.Sort(row.Categories)
			row.Confidence = best.String()
			row.Declared = "no"
			if policy != nil {
				every := func(rules.PolicyRow) bool { return true }
				if p, ok := policy.First(s.Kind, s.Location, c.Name, "", every); ok {
					row.DataSubjects = strings.Join(p.DataSubjects, ", ")
					row.Purpose, row.LegalBasis, row.Retention, row.Owner = p.Purpose, p.LegalBasis, p.Retention, p.Owner
					row.Recipients = strings.Join(p.Recipients, ", ")
					row.Declared = "yes"
					for _, id := range foundIDs(c, min) {
						if !slices.Contains(p.Categories, id) {
							row.Declared = "partly"
						}
					}
				}
			}
			out = append(out, row)
		}
	}
	return out
}

func foundIDs(c inventory.Container, min detectors.Confidence) []string {
	var ids []string
	for _, f := range c.Fields {
		for _, k := range f.Categories {
			if k.Personal && k.Confidence >= min && !slices.Contains(ids, k.ID) {
				ids = append(ids, k.ID)
			}
		}
	}
	return ids
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (r ROPARow) cells() []string {
	return []string{r.System, r.Location, strings.Join(r.Categories, "; "), yesNo(r.SpecialCategory), yesNo(r.NationalID),
		r.Confidence, r.Declared, r.DataSubjects, r.Purpose, r.LegalBasis, r.Retention, r.Recipients, r.Owner, r.LastScanned}
}

// ROPACSV writes the records-of-processing rows as CSV.
func ROPACSV(w io.Writer, rows []ROPARow) error {
	cw := csv.NewWriter(w)
	cw.Write(ROPAHeader)
	for _, r := range rows {
		cells := r.cells()
		for i := range cells {
			cells[i] = defuseFormula(cells[i])
		}
		cw.Write(cells)
	}
	cw.Flush()
	return cw.Error()
}

// ROPAXLSX writes the records-of-processing rows as a spreadsheet a
// privacy team can complete: a bold, frozen header, wrapped text, and the
// columns to fill in highlighted where they are empty.
func ROPAXLSX(w io.Writer, rows []ROPARow) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Records of processing"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	header, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"1F4E79"}, Pattern: 1}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	wrap, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	todo, _ := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Color: []string{"FFF2CC"}, Pattern: 1}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	for i, h := range ROPAHeader {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellValue(sheet, cell, h)
	}
	last, _ := excelize.CoordinatesToCellName(len(ROPAHeader), 1)
	f.SetCellStyle(sheet, "A1", last, header)
	for r, row := range rows {
		for i, v := range row.cells() {
			cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
			f.SetCellStr(sheet, cell, v) // strings, never formulas
			style := wrap
			if v == "" && i >= 7 && i <= 12 {
				style = todo // to be completed by the privacy team
			}
			f.SetCellStyle(sheet, cell, cell, style)
		}
	}
	widths := []float64{28, 36, 40, 12, 12, 11, 10, 24, 32, 28, 28, 24, 18, 12}
	for i, wd := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		f.SetColWidth(sheet, col, col, wd)
	}
	f.SetPanes(sheet, &excelize.Panes{Freeze: true, Split: false, XSplit: 0, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if len(rows) > 0 {
		lastCell, _ := excelize.CoordinatesToCellName(len(ROPAHeader), len(rows)+1)
		f.AutoFilter(sheet, "A1:"+lastCell, nil)
	}
	_, err := f.WriteTo(w)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}
