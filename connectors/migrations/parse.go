package migrations

import (
	"strings"
)

// column is a column a migration defines.
type column struct {
	table, name, typ string
	line             int
}

// parse returns the columns that the statements create, add, rename or
// retype, in order. Statements it does not understand are skipped.
func parse(src string) []column {
	var out []column
	for _, st := range lex(src) {
		switch {
		case len(st) > 1 && st[0].is("CREATE"):
			out = append(out, createTable(st)...)
		case len(st) > 2 && st[0].is("ALTER") && st[1].is("TABLE"):
			out = append(out, alterTable(st)...)
		}
	}
	return out
}

// tableName reads a possibly schema-qualified name at st[i] and returns it
// and the index after it.
func tableName(st []token, i int) (string, int) {
	var parts []string
	for i < len(st) && (st[i].kind == tWord || st[i].kind == tQuoted) {
		parts = append(parts, st[i].text)
		i++
		if i < len(st) && st[i].kind == tPunct && st[i].text == "." {
			i++
			continue
		}
		break
	}
	return strings.Join(parts, "."), i
}

// skipWords advances over the keywords given, in order, where present.
func skipWords(st []token, i int, words ...string) int {
	for _, w := range words {
		if i < len(st) && st[i].is(w) {
			i++
		}
	}
	return i
}

func createTable(st []token) []column {
	i := 1
	for i < len(st) && (st[i].is("TEMP") || st[i].is("TEMPORARY") || st[i].is("UNLOGGED") || st[i].is("GLOBAL") || st[i].is("LOCAL") || st[i].is("OR") || st[i].is("REPLACE")) {
		i++
	}
	if i >= len(st) || !st[i].is("TABLE") {
		return nil
	}
	i = skipWords(st, i+1, "IF", "NOT", "EXISTS")
	name, i := tableName(st, i)
	if name == "" || i >= len(st) || st[i].text != "(" {
		return nil // CREATE TABLE … AS SELECT, or LIKE: no column list to read
	}
	var out []column
	for _, def := range splitTop(st[i+1 : closing(st, i)]) {
		if c, ok := columnDef(name, def); ok {
			out = append(out, c)
		}
	}
	return out
}

// tableConstraints start a definition that is not a column.
var tableConstraints = []string{"CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "INDEX", "KEY", "FULLTEXT", "SPATIAL", "EXCLUDE", "LIKE", "PERIOD"}

// typeEnd are column options: the type ends where one begins.
var typeEnd = []string{"NOT", "NULL", "DEFAULT", "PRIMARY", "REFERENCES", "UNIQUE", "CHECK", "CONSTRAINT", "COLLATE",
	"GENERATED", "AUTO_INCREMENT", "AUTOINCREMENT", "COMMENT", "ON", "AS", "IDENTITY", "FIRST", "AFTER", "INVISIBLE", "VISIBLE", "USING", "STORAGE", "COMPRESSION"}

func isAny(t token, words []string) bool {
	for _, w := range words {
		if t.is(w) {
			return true
		}
	}
	return false
}

// columnDef reads "name type [options]".
func columnDef(table string, def []token) (column, bool) {
	if len(def) == 0 || isAny(def[0], tableConstraints) || (def[0].kind != tWord && def[0].kind != tQuoted) {
		return column{}, false
	}
	return column{table: table, name: def[0].text, typ: typeOf(def[1:]), line: def[0].line}, true
}

// typeOf joins the type's tokens: "varchar(255)", "timestamp with time
// zone", "numeric(12,2)", "text[]", "enum('a','b')".
func typeOf(ts []token) string {
	var b strings.Builder
	depth := 0
	for _, t := range ts {
		if depth == 0 && isAny(t, typeEnd) {
			break
		}
		switch {
		case t.kind == tPunct && (t.text == "(" || t.text == "["):
			depth++
			b.WriteString(t.text)
		case t.kind == tPunct && (t.text == ")" || t.text == "]"):
			depth--
			b.WriteString(t.text)
		case t.kind == tPunct:
			b.WriteString(t.text)
		case t.kind == tString:
			b.WriteString("''")
		default:
			if b.Len() > 0 && depth == 0 && !strings.HasSuffix(b.String(), "(") {
				b.WriteByte(' ')
			}
			b.WriteString(t.text)
		}
	}
	return strings.ToLower(b.String())
}

func alterTable(st []token) []column {
	i := skipWords(st, 2, "IF", "EXISTS")
	i = skipWords(st, i, "ONLY")
	name, i := tableName(st, i)
	if name == "" {
		return nil
	}
	var out []column
	for _, act := range splitTop(st[i:]) {
		if len(act) == 0 {
			continue
		}
		switch {
		case act[0].is("ADD"):
			j := skipWords(act, 1, "COLUMN")
			j = skipWords(act, j, "IF", "NOT", "EXISTS")
			if c, ok := columnDef(name, act[j:]); ok {
				out = append(out, c)
			}
		case act[0].is("RENAME") && len(act) >= 5 && act[1].is("COLUMN") && act[3].is("TO"):
			out = append(out, column{table: name, name: act[4].text, line: act[4].line})
		case act[0].is("RENAME") && len(act) >= 4 && act[2].is("TO") && !act[1].is("TO"):
			out = append(out, column{table: name, name: act[3].text, line: act[3].line}) // RENAME a TO b (PostgreSQL)
		case act[0].is("CHANGE"):
			j := skipWords(act, 1, "COLUMN")
			if j+1 < len(act) {
				if c, ok := columnDef(name, act[j+1:]); ok {
					out = append(out, c)
				}
			}
		case act[0].is("MODIFY"):
			j := skipWords(act, 1, "COLUMN")
			if c, ok := columnDef(name, act[j:]); ok {
				out = append(out, c)
			}
		case act[0].is("ALTER"):
			// ALTER [COLUMN] c [SET DATA] TYPE t
			j := skipWords(act, 1, "COLUMN")
			if j < len(act) {
				k := skipWords(act, j+1, "SET", "DATA")
				if k < len(act) && act[k].is("TYPE") {
					out = append(out, column{table: name, name: act[j].text, typ: typeOf(act[k+1:]), line: act[j].line})
				}
			}
		}
	}
	return out
}

// closing returns the index of the parenthesis closing the one at st[i].
func closing(st []token, i int) int {
	depth := 0
	for j := i; j < len(st); j++ {
		if st[j].kind != tPunct {
			continue
		}
		switch st[j].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(st)
}

// splitTop splits tokens at commas outside parentheses.
func splitTop(ts []token) [][]token {
	var parts [][]token
	depth, start := 0, 0
	for j, t := range ts {
		if t.kind != tPunct {
			continue
		}
		switch t.text {
		case "(":
			depth++
		case ")":
			depth--
		case ",":
			if depth == 0 {
				parts = append(parts, ts[start:j])
				start = j + 1
			}
		}
	}
	return append(parts, ts[start:])
}
