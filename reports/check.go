package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"datakart/check"
	"datakart/inventory"
)

// CheckFormats lists the formats RenderCheck accepts.
var CheckFormats = []string{"table", "json", "markdown", "sarif"}

// RenderCheck writes a check result in the named format.
func RenderCheck(w io.Writer, res *check.Result, format string) error {
	switch format {
	case "table", "":
		return checkText(safeText(w), res)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "markdown", "md":
		return checkMarkdown(safeText(w), res)
	case "sarif":
		return SARIF(w, res)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(CheckFormats, ", "))
}

func counts(res *check.Result) map[check.Status]int {
	n := map[check.Status]int{}
	for _, f := range res.Findings {
		n[f.Status]++
	}
	return n
}

// maxUnreadListed bounds the unread places a text or Markdown check lists;
// the JSON has them all.
const maxUnreadListed = 20

// Unread lists the places a scan could not read, after lead ("Not
// checked, "), the first maxUnreadListed of them with their reasons.
func Unread(w io.Writer, lead string, errs []inventory.Error) {
	fmt.Fprintf(w, "%s%s could not be read:\n", lead, Count(len(errs), "place"))
	for _, e := range errs[:min(len(errs), maxUnreadListed)] {
		fmt.Fprintf(w, "  %s: %s\n", oneLine(errorPlace(e)), oneLine(e.Message))
	}
	if more := len(errs) - maxUnreadListed; more > 0 {
		fmt.Fprintf(w, "  … and %d more (--format json lists them all)\n", more)
	}
}

func checkText(w io.Writer, res *check.Result) error {
	n := counts(res)
	switch {
	case res.Failed == 0 && len(res.Unread) > 0 && res.IgnoreUnread:
		fmt.Fprintf(w, "datakart check: passed — no undeclared personal data at %s confidence or above in what was read; %s could not be read (--ignore-errors).\n", res.FailOn, Count(len(res.Unread), "place"))
	case res.Failed == 0 && len(res.Unread) > 0:
		fmt.Fprintf(w, "datakart check: NOT PASSED — no undeclared personal data at %s confidence or above in what was read, but %s could not be read.\n", res.FailOn, Count(len(res.Unread), "place"))
	case res.Failed == 0:
		fmt.Fprintf(w, "datakart check: passed — no undeclared personal data at %s confidence or above.\n", res.FailOn)
	default:
		fmt.Fprintf(w, "datakart check: FAILED — %s of undeclared personal data at %s confidence or above:\n\n", Count(res.Failed, "finding"), res.FailOn)
		for _, f := range res.Findings {
			if !f.Fails {
				continue
			}
			where := oneLine(f.Location())
			if f.Line > 0 {
				where += fmt.Sprintf(" (line %d)", f.Line)
			}
			fmt.Fprintf(w, "  %s  %s [%s, %s]\n      %s\n", strings.ToUpper(f.Confidence.String()), where, f.Category, f.Class, f.Explanation)
			if f.Note != "" {
				fmt.Fprintf(w, "      %s\n", f.Note)
			}
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Declare them in datakart.yaml (policy), allow them with a reason (allow), or remove the data.")
	}
	if len(res.Unread) > 0 {
		fmt.Fprintln(w)
		Unread(w, "Not checked, ", res.Unread)
		if !res.IgnoreUnread {
			fmt.Fprintln(w, "Make them readable, leave them out of the targets (--exclude, a narrower target), or pass with --ignore-errors.")
		}
	}
	fmt.Fprintf(w, "\n%d declared, %d allowed, %d in the baseline, %d undeclared below the threshold.\n",
		n[check.Declared], n[check.Allowed], n[check.Baseline], n[check.Undeclared]-res.Failed)
	for _, a := range res.ExpiredAllows {
		fmt.Fprintf(w, "Expired: allow entry on line %d (%q) expired on %s and no longer suppresses anything.\n", a.Line, a.Reason, a.Expires.Format("2006-01-02"))
	}
	if !res.Complete {
		fmt.Fprintln(w, "The scan was interrupted: this check is incomplete.")
	}
	return nil
}

func checkMarkdown(w io.Writer, res *check.Result) error {
	var b strings.Builder
	switch {
	case res.Failed == 0 && len(res.Unread) > 0:
		fmt.Fprintf(&b, "### ⚠️ datakart: no undeclared personal data in what was read, but %s could not be read\n\n", Count(len(res.Unread), "place"))
	case res.Failed == 0:
		fmt.Fprintf(&b, "### ✅ datakart: no undeclared personal data\n\n")
	default:
		fmt.Fprintf(&b, "### ❌ datakart: %s of undeclared personal data\n\n", Count(res.Failed, "finding"))
		b.WriteString("| Where | Category | Confidence | Why |\n|---|---|---|---|\n")
		for _, f := range res.Findings {
			if !f.Fails {
				continue
			}
			where := mdEscape(f.Location())
			if f.Line > 0 {
				where += fmt.Sprintf(" (line %d)", f.Line)
			}
			why := f.Explanation
			if f.Note != "" {
				why += "; " + f.Note
			}
			fmt.Fprintf(&b, "| %s | `%s` (%s) | %s | %s |\n", where, f.Category, f.Class, f.Confidence, mdEscape(why))
		}
		b.WriteString("\nDeclare them in `datakart.yaml` (`policy`), allow them with a reason (`allow`), or remove the data.\n")
	}
	if len(res.Unread) > 0 {
		if res.Failed > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "**Not checked**, %s could not be read:\n\n", Count(len(res.Unread), "place"))
		for _, e := range res.Unread[:min(len(res.Unread), maxUnreadListed)] {
			fmt.Fprintf(&b, "- %s: %s\n", mdEscape(errorPlace(e)), mdEscape(e.Message))
		}
		if more := len(res.Unread) - maxUnreadListed; more > 0 {
			fmt.Fprintf(&b, "- … and %d more\n", more)
		}
	}
	n := counts(res)
	fmt.Fprintf(&b, "\n%d declared · %d allowed · %d in the baseline · threshold: %s\n", n[check.Declared], n[check.Allowed], n[check.Baseline], res.FailOn)
	for _, a := range res.ExpiredAllows {
		fmt.Fprintf(&b, "\n⚠️ The allow entry on line %d (%s) expired on %s.\n", a.Line, mdEscape(a.Reason), a.Expires.Format("2006-01-02"))
	}
	if !res.Complete {
		b.WriteString("\n⚠️ The scan was interrupted: this check is incomplete.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
