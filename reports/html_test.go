package reports

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // the screenshot
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"datakart/check"
	"datakart/detectors"
	"datakart/inventory"
	"datakart/rules"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// bigInventory is an audit at a realistic scale: two databases with 150
// tables each and a file share.
func bigInventory() *inventory.Inventory {
	inv := fixture()
	for _, db := range []string{"postgres", "mysql"} {
		s := inventory.Store{Kind: db, Location: db + "://scanner@db.internal/erp"}
		for i := range 150 {
			c := inventory.Container{Name: fmt.Sprintf("erp.table_%03d", i), Kind: "table", Rows: 10000, Sampling: "tablesample system 2%"}
			cats := []struct {
				field, id, class string
				conf             detectors.Confidence
			}{{"epost", "email", "ordinary", detectors.High}, {"fnr", "no_fnr", "national_id", detectors.High}, {"notat", "health", "special_category", detectors.Medium}, {"tlf", "phone", "ordinary", detectors.Low}}
			for j, k := range cats {
				if (i+j)%3 == 0 {
					continue
				}
				c.Fields = append(c.Fields, inventory.Field{Name: k.field, Categories: []inventory.Category{{ID: k.id, Class: k.class, Personal: true, Confidence: k.conf,
					Matches: int64(100 + i), Distinct: int64(90 + i), Examples: []string{"******-***12"}, Explanation: "validated values; column name agrees",
					Variants: nil, ByConfidence: nil}}})
			}
			s.Containers = append(s.Containers, c)
		}
		inv.Stores = append(inv.Stores, s)
	}
	inv.ComputeTotals()
	return inv
}

func htmlInput(t testing.TB) HTMLInput {
	inv := bigInventory()
	cfg, err := rules.ParseConfig([]byte("policy:\n  - location: \"erp.table_0*\"\n    categories: [email, no_fnr]\n    purpose: ERP\nallow:\n  - location: x\n    reason: old\n    expires: 2020-01-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	old := bigInventory()
	old.Stores = old.Stores[:2]
	return HTMLInput{
		Inventory: inv,
		Trend:     []TrendPoint{{"#1 09-01", 120, 40}, {"#2 10-01", 150, 60}, {"#3 11-01", 210, 90}, {"#4 11-28", 260, 110}},
		Changes:   inventory.Diff(old, inv),
		Check:     check.Evaluate(inv, cfg, check.Options{FailOn: detectors.Medium}),
	}
}

func TestHTMLIsSelfContainedAndMasked(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, htmlInput(t)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"http://", "https://", "<link", "src=\"", "@import"} {
		if i := strings.Index(page, bad); i >= 0 && !strings.Contains(page[max(0, i-40):i], "xmlns") {
			t.Errorf("the report loads something from outside (%q near %q)", bad, page[max(0, i-40):min(len(page), i+40)])
		}
	}
	for _, want := range []string{"<svg", "Categories per store", "Trend over the last runs", "Changes since the previous audit", "Policy: declared and found", "expired on 2020-01-01", "erp.table_149"} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(page, "tickets | 2024.txt") == false {
		t.Error("file names are not shown")
	}
	// Counts of one are said in the singular.
	in := htmlInput(t)
	in.Inventory.Stores, in.Inventory.Errors = in.Inventory.Stores[:1], in.Inventory.Errors[:min(len(in.Inventory.Errors), 1)]
	in.Inventory.ComputeTotals()
	b.Reset()
	if err := HTML(&b, in); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "<span>store scanned</span>") {
		t.Error("one store is said as \"stores\"")
	}
}

// A report of more findings than --max-rows lists the ones an audit must
// see first, undeclared and surest, in inventory order, says how many it
// left out, and caps the errors too; the summary counts them all.
func TestHTMLListsTheMostImportantFirst(t *testing.T) {
	in := htmlInput(t)
	for i := range 60 {
		in.Inventory.Errors = append(in.Inventory.Errors, inventory.Error{Store: "files", Container: fmt.Sprintf("bad-%02d.xlsx", i), Message: "zip: not a valid zip file"})
	}
	all := mustRows(in.Inventory)
	in.MaxRows = 50
	var b bytes.Buffer
	if err := HTML(&b, in); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	inventorySection := page[strings.Index(page, `<section id="inventory">`):strings.Index(page, `<section id="errors">`)]
	if n := strings.Count(inventorySection, "<tr class="); n != 50 {
		t.Errorf("%d findings listed, want 50", n)
	}
	for _, bad := range []string{`data-confidence="low"`, `data-confidence="medium"`, `data-status="declared"`} {
		if strings.Contains(inventorySection, bad) {
			t.Errorf("a finding with %s is listed before undeclared high ones", bad)
		}
	}
	if want := fmt.Sprintf("The 50 findings an audit must see first are listed of %d", len(all)); !strings.Contains(page, want) {
		t.Errorf("the page does not say %q", want)
	}
	if strings.Contains(page, "bad-59.xlsx") || !strings.Contains(page, "more errors and") {
		t.Error("the errors past --max-rows are listed, or not counted")
	}
	// The weightiest come first in the postgres store: its identity numbers.
	if names := regexp.MustCompile(`erp\.table_\d+`).FindAllString(inventorySection, 20); len(names) < 20 || !slices.IsSorted(names) {
		t.Errorf("the findings kept are not in inventory order: %v", names)
	}
}

// TestHTMLInChromium loads the report in headless Chromium (Debian's
// package; scripts/test installs it when missing): no console errors, a
// filter that works when clicked, and a screenshot that is not blank.
func TestHTMLInChromium(t *testing.T) {
	browser, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed (scripts/test installs it)")
		}
		t.Skip("chromium is not installed (scripts/test installs it)")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := HTML(&b, htmlInput(t)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.WindowSize(1400, 1000))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()

	var consoleErrors []string
	// The first Run starts the browser; its context must not time out.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			consoleErrors = append(consoleErrors, e.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledType("error") {
				consoleErrors = append(consoleErrors, "console.error")
			}
		}
	})
	tctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()
	visible := `Array.from(document.querySelectorAll('#rows tbody tr')).filter(r => r.style.display !== 'none').length`
	count := func(expr string) int {
		n, err := chromedp.Run(tctx, chromedp.Evaluate[int](expr))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := chromedp.Do(tctx,
		chromedp.Navigate("file://"+page),
		chromedp.WaitVisible("#rows"),
	); err != nil {
		t.Fatal(err)
	}
	total, shownBefore := count(`document.querySelectorAll('#rows tbody tr').length`), count(visible)
	if err := chromedp.Do(tctx,
		chromedp.Click(`#rows thead th:nth-child(6)`), // sort by confidence
		chromedp.SetValue(`#confidence`, "high"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('confidence').dispatchEvent(new Event('change'))`),
	); err != nil {
		t.Fatal(err)
	}
	shownAfter := count(visible)
	wrongShown := count(`Array.from(document.querySelectorAll('#rows tbody tr')).filter(r => r.style.display !== 'none' && r.dataset.confidence !== 'high').length`)
	shot, err := chromedp.Run(tctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	if len(consoleErrors) > 0 {
		t.Errorf("console errors: %q", consoleErrors)
	}
	if total < 500 || shownBefore != total || shownAfter == 0 || shownAfter >= total || wrongShown != 0 {
		t.Errorf("filter: %d rows, %d shown before, %d after choosing high (%d of them not high)", total, shownBefore, shownAfter, wrongShown)
	}
	img, _, err := image.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	// The whole page is mostly a long table; its first screen holds the
	// header, the summary and the charts.
	top := img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(0, 0, img.Bounds().Dx(), min(1000, img.Bounds().Dy())))
	if all, first := nonWhite(img), nonWhite(top); all < 0.01 || first < 0.05 {
		t.Errorf("the screenshot is nearly blank: %.1f%% of pixels not white, %.1f%% on the first screen", all*100, first*100)
	}
	os.WriteFile(filepath.Join(os.TempDir(), "datakart-report-test.jpg"), shot, 0o644)
}

// nonWhite is the share of pixels that are not (nearly) white, sampled.
func nonWhite(img image.Image) float64 {
	b := img.Bounds()
	n, dark := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			n++
			if r < 0xE000 || g < 0xE000 || bl < 0xE000 {
				dark++
			}
		}
	}
	return float64(dark) / float64(max(n, 1))
}
