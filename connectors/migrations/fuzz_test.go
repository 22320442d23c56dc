package migrations

import (
	"context"
	"strings"
	"testing"
	"time"

	"datakart/connectors"
)

// countSink checks the invariants of what Parse declares.
type countSink struct {
	t     *testing.T
	begun bool
	lines int
}

func (s *countSink) Begin(p connectors.Part) {
	if p.Kind != "table" {
		s.t.Fatalf("part kind %q", p.Kind)
	}
	s.begun = true
}
func (s *countSink) Fields(names ...string) { s.t.Fatal("Fields called") }
func (s *countSink) FieldInfo(name, dataType string, line int) {
	if !s.begun {
		s.t.Fatal("FieldInfo before Begin")
	}
	if line < 1 || line > s.lines {
		s.t.Fatalf("line %d outside 1..%d", line, s.lines)
	}
}
func (s *countSink) Value(connectors.Value) error       { s.t.Fatal("Value called"); return nil }
func (s *countSink) PartError(error)                    { s.t.Fatal("PartError called") }
func (s *countSink) PartSkipped(string)                 { s.t.Fatal("PartSkipped called") }
func (s *countSink) Paced(time.Duration, time.Duration) { s.t.Fatal("Paced called") }
func (s *countSink) Sampled(int64, string)              {}

func FuzzParse(f *testing.F) {
	for _, s := range []string{pg001, pg002, my001,
		"CREATE TABLE t (a int",
		"ALTER TABLE t ADD (a int, b",
		"DELIMITER //\nCREATE TABLE t (a int)//\nDELIMITER ;\n",
		"$a$ $a $$ $a$;CREATE TABLE t(a text[]);",
		"CREATE TABLE t (a numeric((((1)))), b enum('x''y'), c E'\\",
		"/* /* */ CREATE TABLE t (a int); */ CREATE TABLE u (b int)",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &countSink{t: t, lines: strings.Count(string(data), "\n") + 1}
		if err := Parse(context.Background(), strings.NewReader(string(data)), s); err != nil {
			t.Fatal(err)
		}
	})
}
