package corpus

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"time"
)

var prose = []string{
	"Vi har mottatt din henvendelse og vil svare så snart som mulig. ",
	"Fakturaen for oktober er sendt, forfall om 14 dager, totalt 12 450,00 kr inkl. mva. ",
	"The customer asked us to update the delivery address before the next shipment. ",
	"Møtet er flyttet til torsdag kl. 10:30 i rom 4.12, ta med rapporten for Q3 2024. ",
	"Please find attached the report for week 47; revenue grew 3.5% year over year. ",
	"Lageret i Drammen har 1 250 enheter av vare 40-118 og 320 enheter av vare 40-119. ",
	"Server oppgradert til versjon 4.12.0.1, se changelog for detaljer om endringene. ",
	"Brukeren rapporterer feilkode 0x80070005 ved innlogging fra nettleser. ",
}

// MixedText returns about size bytes of realistic mixed text from an ERP
// vendor's systems: Norwegian and English prose, CSV exports, JSON API logs
// and web-server logs, with digits, '@', '+' and look-alike numbers at the
// density of real exports, and some personal data among them.
func MixedText(seed uint64, size int) []byte {
	r := rand.New(rand.NewPCG(seed, seed+1))
	var b bytes.Buffer
	b.Grow(size + 1024)
	base := time.Date(2024, 11, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; b.Len() < size; i++ {
		p := NewPerson(r, nil)
		ts := base.Add(time.Duration(i) * 1500 * time.Millisecond)
		switch r.IntN(20) {
		case 0, 1, 2, 3, 4, 5, 6, 7:
			for range 3 {
				b.WriteString(prose[r.IntN(len(prose))])
			}
			b.WriteByte('\n')
		case 8, 9:
			fmt.Fprintf(&b, "%d;%s;%s;%s;%s;%d;%s\n", 10000+i, p.First, p.Last, p.Fnr, DotAccount(p.Account), r.IntN(30), ts.Format("2006-01-02"))
		case 10, 11:
			fmt.Fprintf(&b, `{"ts":"%s","level":"info","msg":"order created","order_id":%d,"customer":{"email":"%s","phone":"+47%s"},"amount":%d.%02d,"ts_ms":%d}`+"\n",
				ts.Format(time.RFC3339), 10000000+r.IntN(89999999), p.Email, p.Mobile, r.IntN(9999), r.IntN(100), ts.UnixMilli())
		case 12, 13, 14:
			fmt.Fprintf(&b, "%s - - [%s] \"GET /api/v2/products/%d?page=%d HTTP/1.1\" 200 %d \"-\" \"Mozilla/5.0\"\n",
				PublicIPv4(r), ts.Format("02/Jan/2006:15:04:05 -0700"), r.IntN(50000), r.IntN(20), r.IntN(90000))
		case 15:
			fmt.Fprintf(&b, "2024-%05d,%s,%s,%d,%d.%02d,%s\n", i, Orgnr(r), KID(r, 16, "4"), 10000000+r.IntN(89999999), r.IntN(90000), r.IntN(100), ts.Format("2006-01-02"))
		case 16:
			fmt.Fprintf(&b, "Sak #%d: %s %s ringte fra %s og ba om ny faktura til %s.\n", 50000+i, p.First, p.Last, GroupMobile(p.Mobile), p.Email)
		default:
			fmt.Fprintf(&b, "%s INFO [worker-%d] job=%d duration=%dms rows=%d trace=%016x\n", ts.Format("2006-01-02T15:04:05.000Z"), r.IntN(8), r.IntN(1000000), r.IntN(5000), r.IntN(100000), r.Uint64())
		}
	}
	return b.Bytes()
}
