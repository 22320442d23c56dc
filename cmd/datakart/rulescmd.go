package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"datakart/rules"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

const rulesUsage = `Usage: datakart rules [--names]

Lists the built-in value detectors and the categories with their GDPR
class; with --names, also the column and field names that are evidence for
each category.

Flags:
`

func runRules(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), rulesUsage); fs.PrintDefaults() }
	names := fs.Bool("names", false, "also list the column-name rules")
	if _, err := parseInterleaved(fs, args, stdout); err != nil {
		return err
	}
	rs, err := rules.Default()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Detectors (validated from values):")
	t := tablewriter.NewTable(stdout, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithRowAutoWrap(tw.WrapNormal), tablewriter.WithRowMaxWidth(70))
	t.Header("DETECTOR", "VARIANTS", "PERSONAL", "WHAT IT ACCEPTS")
	for _, d := range rs.Engine().Detectors() {
		in := d.Info()
		if err := t.Append(in.ID, strings.Join(in.Variants, ", "), fmt.Sprint(in.Personal), in.Description); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nCategories:")
	t = tablewriter.NewTable(stdout, tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header("ID", "NAME", "GDPR CLASS", "GROUP", "CONTEXT WORDS")
	for _, c := range rs.Categories() {
		if err := t.Append(c.ID, c.Name, c.Class, c.Group, fmt.Sprint(len(rs.ContextWords(c.ID)))); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if *names {
		fmt.Fprintln(stdout, "\nColumn and field names (whole tokens, case and æøå folded):")
		for _, nr := range rs.NameRules() {
			fmt.Fprintf(stdout, "  %-16s %s\n", nr.Category, strings.Join(nr.Names, ", "))
			if len(nr.Unless) > 0 {
				fmt.Fprintf(stdout, "  %-16s unless the name also has: %s\n", "", strings.Join(nr.Unless, ", "))
			}
		}
	}
	return nil
}
