package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"datakart/inventory"
)

// CSVHeader is the header row of the CSV format; its names are stable.
var CSVHeader = []string{
	"store_kind", "store", "container", "container_kind", "field", "category", "class", "personal",
	"variants", "confidence", "matches", "matched_values", "examined", "non_null", "distinct", "share",
	"name_hint", "name_rule", "lines", "examples", "fingerprints", "explanation",
}

// CSV writes one row per field × category, context categories included
// (the personal column tells them apart).
func CSV(w io.Writer, inv *inventory.Inventory, opt Options) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	rows, _ := Rows(inv, false, opt.MinConfidence)
	for _, r := range rows {
		k := r.Category
		lines := make([]string, len(k.Lines))
		for i, l := range k.Lines {
			lines[i] = fmt.Sprint(l)
		}
		rec := []string{
			r.Store.Kind, r.Store.Location, r.Container.Name, r.Container.Kind, r.Field.Name, k.ID, k.Class,
			fmt.Sprint(k.Personal), variantsText(k.Variants), k.Confidence.String(), fmt.Sprint(k.Matches),
			fmt.Sprint(k.MatchedValues), fmt.Sprint(r.Field.Examined), fmt.Sprint(r.Field.NonNull),
			fmt.Sprint(k.Distinct), fmt.Sprintf("%.4f", k.Share), fmt.Sprint(k.NameHint), k.NameRule,
			strings.Join(lines, " "), strings.Join(k.Shown(), " "), strings.Join(k.Fingerprints, " "), k.Explanation,
		}
		for i, v := range rec {
			rec[i] = defuseFormula(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// defuseFormula keeps a spreadsheet from running a cell as a formula (CSV
// injection): file and column names come from the scanned data.
func defuseFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
