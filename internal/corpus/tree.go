package corpus

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/xuri/excelize/v2"
	_ "modernc.org/sqlite" // the phone backup's database

	"datakart/internal/mdb/mdbtest"
	"datakart/internal/pst/psttest"
)

// Labels is the expected inventory of a generated tree: for each location
// ("container" + " → " + field, or just the container for a file's text),
// the personal categories that must be reported at medium or high
// confidence. Every other location must have none.
type Labels map[string][]string

func (l Labels) add(container, field string, cats ...string) {
	k := container
	if field != "" {
		k += " → " + field
	}
	for _, c := range cats {
		if !slices.Contains(l[k], c) {
			l[k] = append(l[k], c)
		}
	}
}

// TreeOptions size a generated tree.
type TreeOptions struct {
	Seed uint64
	Rows int // rows per table-like file (default 50)
	// IsFnr tells valid fødselsnumre, so generated account numbers can avoid
	// them.
	IsFnr func(string) bool
}

type tree struct {
	dir    string
	r      *rand.Rand
	opt    TreeOptions
	labels Labels
	people []Person
}

// WriteTree writes a tree of realistic exports of a Norwegian ERP vendor
// under dir (payroll, support tickets, API and web-server logs, a customer
// spreadsheet, invoices full of look-alike numbers, archives) and returns
// its labels.
func WriteTree(dir string, opt TreeOptions) (Labels, error) {
	if opt.Rows <= 0 {
		opt.Rows = 50
	}
	t := &tree{dir: dir, r: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)), opt: opt, labels: Labels{}}
	for range opt.Rows {
		t.people = append(t.people, NewPerson(t.r, opt.IsFnr))
	}
	// New steps go last, so that the files of the others stay as they were.
	steps := []func() error{t.payroll, t.tickets, t.apiLog, t.accessLog, t.customers, t.invoices, t.ledger, t.events, t.memo, t.archives, t.binary, t.amelding, t.phoneBackup, t.dataLake, t.appData, t.mailArchive, t.accessRegister}
	for _, s := range steps {
		if err := s(); err != nil {
			return nil, err
		}
	}
	return t.labels, nil
}

func (t *tree) write(rel string, data []byte) error {
	p := filepath.Join(t.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

func (t *tree) payrollCSV() []byte {
	var b strings.Builder
	b.WriteString("ansattnr;fornavn;etternavn;fødselsnummer;kontonummer;sykefravær_dager;lønn;avdeling\n")
	for i, p := range t.people {
		acct := p.Account
		if i%2 == 0 {
			acct = DotAccount(acct)
		}
		fmt.Fprintf(&b, "%d;%s;%s;%s;%s;%d;%d;%s\n", 10000+i, p.First, p.Last, p.Fnr, acct, t.r.IntN(30), 450000+t.r.IntN(600000), []string{"Salg", "Drift", "Økonomi", "Utvikling"}[t.r.IntN(4)])
	}
	return []byte(b.String())
}

func (t *tree) labelPayroll(container string) {
	t.labels.add(container, "fornavn", "person_name")
	t.labels.add(container, "etternavn", "person_name")
	t.labels.add(container, "fødselsnummer", "no_fnr")
	t.labels.add(container, "kontonummer", "no_bank_account")
	t.labels.add(container, "sykefravær_dager", "health")
}

func (t *tree) payroll() error {
	t.labelPayroll("hr/payroll_2024.csv")
	return t.write("hr/payroll_2024.csv", t.payrollCSV())
}

func (t *tree) tickets() error {
	var b strings.Builder
	templates := []string{
		"Sak #%d: Kunden %s %s ringte og ba om endring av kontonummer. Ny konto: %s. Fødselsnummer oppgitt: %s.\n",
		"Sak #%d: %s %s får ikke logget inn. Ring tilbake på tlf %s eller send e-post til %s.\n",
		"Sak #%d: Faktura sendt på nytt til %s %s, %s, %s.\n",
		"Sak #%d: Bruker melder at rapporten for mai ikke viser totalsum 12 450,00 kr. Ordre 2024-118734 ble levert %s.\n",
	}
	for i, p := range t.people {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, templates[0], 50000+i, p.First, p.Last, DotAccount(p.Account), p.Fnr[:6]+" "+p.Fnr[6:])
		case 1:
			fmt.Fprintf(&b, templates[1], 50000+i, p.First, p.Last, GroupMobile(p.Mobile), p.Email)
		case 2:
			fmt.Fprintf(&b, templates[2], 50000+i, p.First, p.Last, p.Street, p.Place)
		case 3:
			fmt.Fprintf(&b, templates[3], 50000+i, time.Date(2024, 5, 1+i%28, 0, 0, 0, 0, time.UTC).Format("02.01.2006"))
		}
	}
	t.labels.add("support/tickets.txt", "", "no_fnr", "no_bank_account", "phone", "email")
	return t.write("support/tickets.txt", []byte(b.String()))
}

func (t *tree) apiLog() error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	base := time.Date(2024, 11, 1, 8, 0, 0, 0, time.UTC)
	for i, p := range t.people {
		ts := base.Add(time.Duration(i) * 37 * time.Second)
		rec := map[string]any{
			"ts":       ts.Format(time.RFC3339),
			"ts_ms":    ts.UnixMilli(),
			"level":    "info",
			"req":      map[string]any{"method": "POST", "path": "/api/v2/orders", "ip": PublicIPv4(t.r), "duration_ms": t.r.IntN(900)},
			"customer": map[string]any{"email": p.Email, "phone": "+47" + p.Mobile, "id": 700000 + i},
			"order_id": 10000000 + t.r.IntN(89999999),
			"trace_id": fmt.Sprintf("%016x", t.r.Uint64()),
			"items":    []map[string]any{{"sku": fmt.Sprintf("SKU-%05d", t.r.IntN(99999)), "qty": 1 + t.r.IntN(5), "price": 199.0}},
		}
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	c := "logs/api-2024-11-01.ndjson"
	t.labels.add(c, "$.req.ip", "ip_address")
	t.labels.add(c, "$.customer.email", "email")
	t.labels.add(c, "$.customer.phone", "phone")
	return t.write(c, b.Bytes())
}

func (t *tree) accessLog() error {
	var b strings.Builder
	base := time.Date(2024, 10, 10, 13, 55, 36, 0, time.FixedZone("", 2*3600))
	for i, p := range t.people {
		ts := base.Add(time.Duration(i) * 3 * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		path := fmt.Sprintf("/api/products/%d", t.r.IntN(5000))
		if i%5 == 0 {
			path = "/api/newsletter?email=" + strings.ReplaceAll(p.Email, "@", "%40")
		}
		fmt.Fprintf(&b, "%s - - [%s] \"GET %s HTTP/1.1\" 200 %d \"-\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0.0.0\"\n", PublicIPv4(t.r), ts, path, 200+t.r.IntN(40000))
	}
	t.labels.add("logs/access.log", "", "ip_address", "email")
	return t.write("logs/access.log", []byte(b.String()))
}

func (t *tree) customers() error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Kunder"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	header := []any{"Kundenr", "Navn", "E-post", "Mobil", "Adresse", "Postnr og sted", "Kortnummer", "Kundesiden"}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	for i, p := range t.people {
		row := []any{200000 + i, p.First + " " + p.Last, p.Email, p.Mobile, p.Street, p.Place, GroupCard(Card(t.r)), 2000 + t.r.IntN(25)}
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &row); err != nil {
			return err
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		return err
	}
	c := "crm/customers.xlsx"
	t.labels.add(c, "Kunder!Navn", "person_name")
	t.labels.add(c, "Kunder!E-post", "email")
	t.labels.add(c, "Kunder!Mobil", "phone")
	t.labels.add(c, "Kunder!Adresse", "postal_address")
	t.labels.add(c, "Kunder!Postnr og sted", "postal_address")
	t.labels.add(c, "Kunder!Kortnummer", "payment_card")
	return t.write(c, b.Bytes())
}

// invoices is all look-alikes: organisation numbers, KID references that
// pass Luhn (some shaped like Visa cards), order numbers and amounts.
func (t *tree) invoices() error {
	var b strings.Builder
	b.WriteString("fakturanr,orgnr,kid,ordrenr,beløp,forfallsdato,opprettet_ms\n")
	for i := range t.opt.Rows {
		kid := KID(t.r, 16, "4")
		if i%3 == 0 {
			kid = KID(t.r, 11, "")
		}
		fmt.Fprintf(&b, "2024-%05d,%s,%s,%d,%d.%02d,2024-%02d-%02d,%d\n", i+1, Orgnr(t.r), kid, 10000000+t.r.IntN(89999999), t.r.IntN(90000), t.r.IntN(100), 1+i%12, 1+i%28, 1700000000000+t.r.Int64N(99999999999))
	}
	return t.write("finance/invoices.csv", []byte(b.String()))
}

func (t *tree) ledger() error {
	var b strings.Builder
	for i := range t.opt.Rows {
		fmt.Fprintf(&b, "%s Betaling fra Bedrift AS, org.nr %s, KID: %s, beløp %d,00 kr, ordre %d, ref %d\n",
			time.Date(2024, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC).Format("2006-01-02"),
			Orgnr(t.r), KID(t.r, 16, "4"), t.r.IntN(100000), 10000000+t.r.IntN(89999999), 1700000000000+t.r.Int64N(99999999999))
	}
	return t.write("finance/ledger.txt", []byte(b.String()))
}

func (t *tree) events() error {
	var b strings.Builder
	b.WriteString("event_id,timestamp_ms,session,product_name,amount,version\n")
	for i := range t.opt.Rows {
		fmt.Fprintf(&b, "%d,%d,%016x,Produkt %d,%d.%02d,4.%d.%d.%d\n", 900000+i, 1712345678901+int64(i)*1000, t.r.Uint64(), t.r.IntN(500), t.r.IntN(9000), t.r.IntN(100), t.r.IntN(20), t.r.IntN(20), t.r.IntN(300))
	}
	return t.write("metrics/events.csv", []byte(b.String()))
}

// memo is a Word document whose values are split across runs, as Word
// does, with the list of attendees embedded in it as a workbook.
func (t *tree) memo() error {
	p := t.people[0]
	paras := [][]string{
		{"Referat fra møte med ", "leverandør"},
		{"Kontaktperson: ", p.First + " " + p.Last, ", tlf ", p.Mobile[:3] + " ", p.Mobile[3:5] + " " + p.Mobile[5:]},
		{"E-post: ", p.Email},
		{"Neste møte er avtalt til uke 47."},
	}
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, runs := range paras {
		doc.WriteString("<w:p>")
		for _, r := range runs {
			fmt.Fprintf(&doc, `<w:r><w:t xml:space="preserve">%s</w:t></w:r>`, r)
		}
		doc.WriteString("</w:p>")
	}
	doc.WriteString("</w:body></w:document>")
	attendees, err := t.attendees()
	if err != nil {
		return err
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range map[string]string{
		"[Content_Types].xml":                            `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xlsx" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"word/document.xml":                              doc.String(),
		"word/_rels/document.xml.rels":                   `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/package" Target="embeddings/Microsoft_Excel_Worksheet.xlsx"/></Relationships>`,
		"word/embeddings/Microsoft_Excel_Worksheet.xlsx": attendees,
	} {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte(body)); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	t.labels.add("docs/leverandormote.docx", "", "phone", "email")
	sheet := "docs/leverandormote.docx!word/embeddings/Microsoft_Excel_Worksheet.xlsx"
	t.labels.add(sheet, "Deltakere!Navn", "person_name")
	t.labels.add(sheet, "Deltakere!E-post", "email")
	t.labels.add(sheet, "Deltakere!Mobil", "phone")
	return t.write("docs/leverandormote.docx", b.Bytes())
}

// attendees is the workbook of a meeting's attendees, as Word embeds a
// table pasted from Excel.
func (t *tree) attendees() (string, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Deltakere"); err != nil {
		return "", err
	}
	rows := [][]any{{"Navn", "Firma", "E-post", "Mobil"}}
	for _, p := range t.people[1:min(6, len(t.people))] {
		rows = append(rows, []any{p.First + " " + p.Last, "Leverandør AS", p.Email, p.Mobile})
	}
	for i, row := range rows {
		if err := f.SetSheetRow("Deltakere", fmt.Sprintf("A%d", i+1), &row); err != nil {
			return "", err
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		return "", err
	}
	return b.String(), nil
}

// archives holds a gzipped copy of the payroll and a zip with a CSV and a
// nested zip of JSON.
func (t *tree) archives() error {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(t.payrollCSV())
	zw.Close()
	if err := t.write("archive/payroll_2023.csv.gz", gz.Bytes()); err != nil {
		return err
	}
	t.labelPayroll("archive/payroll_2023.csv.gz!payroll_2023.csv")

	var inner bytes.Buffer
	iz := zip.NewWriter(&inner)
	w, _ := iz.Create("customers.json")
	var recs []map[string]any
	for _, p := range t.people[:min(10, len(t.people))] {
		recs = append(recs, map[string]any{"customer": map[string]any{"name": p.First + " " + p.Last, "email": p.Email}, "iban": IBANNO(p.Account)})
	}
	json.NewEncoder(w).Encode(recs)
	iz.Close()

	var outer bytes.Buffer
	oz := zip.NewWriter(&outer)
	w, _ = oz.Create("2023/payroll.csv")
	w.Write(t.payrollCSV())
	w, _ = oz.Create("2023/backup.zip")
	w.Write(inner.Bytes())
	oz.Close()
	t.labelPayroll("archive/exports.zip!2023/payroll.csv")
	c := "archive/exports.zip!2023/backup.zip!customers.json"
	t.labels.add(c, "$[*].customer.name", "person_name")
	t.labels.add(c, "$[*].customer.email", "email")
	t.labels.add(c, "$[*].iban", "iban")
	return t.write("archive/exports.zip", outer.Bytes())
}

func (t *tree) binary() error {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00")
	return t.write("assets/logo.png", append(png, make([]byte, 256)...))
}

// amelding is a payroll report to the tax authority (A-melding) as XML:
// each employee's fødselsnummer and name, and the employer's organisation
// number, which is not personal data.
func (t *tree) amelding() error {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<melding xmlns="urn:ske:fastsetting:innsamling:a-meldingen:v2_0">` + "\n")
	fmt.Fprintf(&b, "  <Leveranse>\n    <kalendermaaned>2024-11</kalendermaaned>\n    <oppgave>\n      <virksomhet>\n        <norskIdentifikator>%s</norskIdentifikator>\n", Orgnr(t.r))
	for _, p := range t.people {
		fmt.Fprintf(&b, "        <inntektsmottaker>\n          <norskIdentifikator>%s</norskIdentifikator>\n", p.Fnr)
		fmt.Fprintf(&b, "          <identifiserendeInformasjon><navn>%s %s</navn></identifiserendeInformasjon>\n", p.First, p.Last)
		fmt.Fprintf(&b, "          <inntekt><beloep>%d.00</beloep><loennsinntekt><beskrivelse>fastloenn</beskrivelse></loennsinntekt></inntekt>\n", 30000+t.r.IntN(60000))
		b.WriteString("        </inntektsmottaker>\n")
	}
	b.WriteString("      </virksomhet>\n    </oppgave>\n  </Leveranse>\n</melding>\n")
	c := "hr/a-melding-2024-11.xml"
	path := "/melding/Leveranse/oppgave/virksomhet/inntektsmottaker/"
	t.labels.add(c, path+"norskIdentifikator", "no_fnr")
	t.labels.add(c, path+"identifiserendeInformasjon/navn", "person_name")
	return t.write(c, []byte(b.String()))
}

// phoneBackup is a phone's contacts database, as a backup of a company
// phone keeps it: an SQLite file.
func (t *tree) phoneBackup() error {
	c := "mobile/backup/contacts.db"
	p := filepath.Join(t.dir, filepath.FromSlash(c))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	os.Remove(p)
	db, err := sql.Open("sqlite", p)
	if err != nil {
		return err
	}
	defer db.Close()
	stmts := []string{`CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT, number TEXT, email TEXT, starred INTEGER)`}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			return err
		}
	}
	for _, pp := range t.people {
		if _, err := db.Exec(`INSERT INTO contacts (name, number, email, starred) VALUES (?, ?, ?, ?)`,
			pp.First+" "+pp.Last, "+47 "+GroupMobile(pp.Mobile), pp.Email, t.r.IntN(2)); err != nil {
			return err
		}
	}
	t.labels.add(c+"!contacts", "name", "person_name")
	t.labels.add(c+"!contacts", "number", "phone")
	t.labels.add(c+"!contacts", "email", "email")
	return db.Close()
}

// lakeCustomer is a row of the analytics team's customer table.
type lakeCustomer struct {
	CustomerID int64  `parquet:"customer_id"`
	Name       string `parquet:"name"`
	Fnr        string `parquet:"fnr"`
	Email      string `parquet:"email"`
	Mobile     int64  `parquet:"mobile"`
	Segment    string `parquet:"segment"`
	Signup     int32  `parquet:"signup,date"`
}

// dataLake is the customer table an analytics export keeps as Parquet,
// in two row groups.
func (t *tree) dataLake() error {
	var rows []lakeCustomer
	for i, p := range t.people {
		var mobile int64
		fmt.Sscan(p.Mobile, &mobile)
		rows = append(rows, lakeCustomer{CustomerID: int64(100000 + i), Name: p.First + " " + p.Last, Fnr: p.Fnr, Email: p.Email,
			Mobile: mobile, Segment: []string{"smb", "enterprise", "public"}[t.r.IntN(3)], Signup: int32(18000 + t.r.IntN(2000))})
	}
	var b bytes.Buffer
	w := parquet.NewGenericWriter[lakeCustomer](&b, parquet.MaxRowsPerRowGroup(int64(max(len(rows)/2, 1))), parquet.Compression(&parquet.Snappy))
	if _, err := w.Write(rows); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	c := "analytics/customers.parquet"
	t.labels.add(c, "name", "person_name")
	t.labels.add(c, "fnr", "no_fnr")
	t.labels.add(c, "email", "email")
	t.labels.add(c, "mobile", "phone")
	return t.write(c, b.Bytes())
}

// appData is a company phone's app data, zipped: the app's messages
// database in WAL mode, the newer half of its rows still in its log.
func (t *tree) appData() error {
	tmp, err := os.MkdirTemp("", "datakart-appdata-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, "app.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	stmts := []string{`PRAGMA journal_mode=WAL`, `PRAGMA wal_autocheckpoint = 0`,
		`CREATE TABLE messages (id INTEGER PRIMARY KEY, name TEXT, phone TEXT, email TEXT, unread INTEGER)`}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			return err
		}
	}
	for i, p := range t.people {
		if i == len(t.people)/2 {
			if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				return err
			}
		}
		if _, err := db.Exec(`INSERT INTO messages (name, phone, email, unread) VALUES (?, ?, ?, ?)`,
			p.First+" "+p.Last, "+47"+p.Mobile, p.Email, t.r.IntN(2)); err != nil {
			return err
		}
	}
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	for _, name := range []string{"app.db", "app.db-wal"} {
		data, err := os.ReadFile(filepath.Join(tmp, name))
		if err != nil {
			return err
		}
		w, err := zw.Create("databases/" + name)
		if err != nil {
			return err
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	c := "mobile/app-data.zip!databases/app.db!messages"
	t.labels.add(c, "name", "person_name")
	t.labels.add(c, "phone", "phone")
	t.labels.add(c, "email", "email")
	return t.write("mobile/app-data.zip", z.Bytes())
}

// mailArchive is the support desk's mailbox of 2023, archived by Outlook
// into a PST: customers' requests, with their fødselsnummer and new
// account number in the text, a CSV attached to some, and the desk's
// contacts with their mobile numbers.
func (t *tree) mailArchive() error {
	var inbox, contacts []psttest.Message
	for i, p := range t.people[:min(12, len(t.people))] {
		m := psttest.Message{
			Subject:     fmt.Sprintf("Sak %d: endring av kontonummer", 70000+i),
			Body:        fmt.Sprintf("Hei!\r\nJeg har fått ny bankkonto: %s.\r\nFødselsnummer: %s\r\n\r\nHilsen %s %s", DotAccount(p.Account), p.Fnr, p.First, p.Last),
			SenderName:  p.First + " " + p.Last,
			SenderEmail: p.Email,
			DisplayTo:   "Kundeservice",
			Recipients:  []psttest.Recipient{{Name: "Kundeservice", Email: "kundeservice@erp-leverandor.no"}},
		}
		if i%4 == 0 {
			m.Attachments = []psttest.Attachment{{Name: "ansatte.csv", Data: t.payrollCSV()}}
		}
		inbox = append(inbox, m)
		contacts = append(contacts, psttest.Message{Class: "IPM.Contact", Subject: p.First + " " + p.Last,
			Extra: map[uint16]string{0x3A06: p.First, 0x3A11: p.Last, 0x3A1C: GroupMobile(p.Mobile)}})
	}
	b, err := psttest.Write([]psttest.Folder{{Name: "Innboks", Messages: inbox}, {Name: "Kontakter", Messages: contacts}}, psttest.Options{Crypt: psttest.CryptPermute})
	if err != nil {
		return err
	}
	c := "mail/arkiv-2023.pst"
	t.labels.add(c+"!Innboks", "", "no_fnr", "no_bank_account")
	t.labels.add(c+"!Innboks", "Sender", "email")
	t.labels.add(c+"!Innboks", "From", "email") // sent on behalf of: the sender too
	for i := 0; i < min(12, len(t.people)); i += 4 {
		t.labelPayroll(fmt.Sprintf("%s!Innboks!message-%d/ansatte.csv", c, i+1))
	}
	t.labels.add(c+"!Kontakter", "GivenName", "person_name")
	t.labels.add(c+"!Kontakter", "Surname", "person_name")
	t.labels.add(c+"!Kontakter", "MobilePhone", "phone")
	return t.write(c, b)
}

// accessRegister is the customer register a department kept in Access
// before the ERP system: names, fødselsnumre, phone numbers kept as
// numbers, addresses, and notes with e-mail addresses in them.
func (t *tree) accessRegister() error {
	var rows [][]any
	for i, p := range t.people {
		mobile, _ := strconv.ParseFloat(p.Mobile, 64)
		rows = append(rows, []any{int32(1000 + i), p.First + " " + p.Last, p.Fnr, mobile, p.Street + ", " + p.Place,
			fmt.Sprintf("Kunde siden %d. Kontakt: %s", 1995+i%10, p.Email), time.Date(1995+i%10, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)})
	}
	b, err := mdbtest.Write([]mdbtest.Table{{Name: "Kunder", Columns: []mdbtest.Column{
		{Name: "KundeNr", Type: mdbtest.TypeLong}, {Name: "Navn", Type: mdbtest.TypeText},
		{Name: "Fødselsnummer", Type: mdbtest.TypeText}, {Name: "Telefon", Type: mdbtest.TypeDouble},
		{Name: "Adresse", Type: mdbtest.TypeText}, {Name: "Merknad", Type: mdbtest.TypeMemo},
		{Name: "Registrert", Type: mdbtest.TypeDateTime},
	}, Rows: rows}}, mdbtest.Options{CompressText: true})
	if err != nil {
		return err
	}
	c := "gammel/kunderegister.mdb!Kunder"
	t.labels.add(c, "Navn", "person_name")
	t.labels.add(c, "Fødselsnummer", "no_fnr")
	t.labels.add(c, "Telefon", "phone")
	t.labels.add(c, "Adresse", "postal_address")
	t.labels.add(c, "Merknad", "email")
	return t.write("gammel/kunderegister.mdb", b)
}
