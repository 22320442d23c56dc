package migrations

import (
	"strings"

	"datakart/connectors"
)

// column is one column a statement defines.
type column struct {
	name, typ string
	line      int
}

// parseStatement declares the columns one CREATE TABLE or ALTER TABLE
// statement defines; other statements, and ones it cannot make sense of,
// are ignored.
func parseStatement(ts []token, sink connectors.Sink) {
	switch {
	case ts[0].is("CREATE"):
		table, cols, ok := parseCreate(ts)
		if !ok {
			return
		}
		sink.Begin(connectors.Part{Path: table, Kind: "table"})
		for _, c := range cols {
			sink.FieldInfo(c.name, c.typ, c.line)
		}
	case ts[0].is("ALTER"):
		table, cols := parseAlter(ts)
		if len(cols) == 0 {
			return
		}
		sink.Begin(connectors.Part{Path: table, Kind: "table"})
		for _, c := range cols {
			sink.FieldInfo(c.name, c.typ, c.line)
		}
	}
}

// at returns ts[i], or the zero token past the end.
func at(ts []token, i int) token {
	if i < len(ts) {
		return ts[i]
	}
	return token{}
}

// ifExists skips "IF EXISTS" or "IF NOT EXISTS" at i.
func ifExists(ts []token, i int) int {
	if !at(ts, i).is("IF") {
		return i
	}
	if at(ts, i+1).is("EXISTS") {
		return i + 2
	}
	if at(ts, i+1).is("NOT") && at(ts, i+2).is("EXISTS") {
		return i + 3
	}
	return i
}

// qualifiedName reads name or schema.name (quoted or not) at i and returns
// it unquoted, joined with '.'.
func qualifiedName(ts []token, i int) (string, int, bool) {
	if !at(ts, i).ident() {
		return "", i, false
	}
	name := ts[i].text
	i++
	for at(ts, i).punct('.') && at(ts, i+1).ident() {
		name += "." + ts[i+1].text
		i += 2
	}
	return name, i, true
}

// parseCreate parses CREATE [OR REPLACE] [TEMPORARY|UNLOGGED|…] TABLE [IF
// NOT EXISTS] name ( elements ).
func parseCreate(ts []token) (table string, cols []column, ok bool) {
	i := 1
	if at(ts, i).is("OR") && at(ts, i+1).is("REPLACE") {
		i += 2
	}
	for at(ts, i).is("GLOBAL") || at(ts, i).is("LOCAL") || at(ts, i).is("TEMPORARY") || at(ts, i).is("TEMP") || at(ts, i).is("UNLOGGED") {
		i++
	}
	if !at(ts, i).is("TABLE") {
		return "", nil, false
	}
	i = ifExists(ts, i+1)
	table, i, ok = qualifiedName(ts, i)
	if !ok || !at(ts, i).punct('(') {
		return "", nil, false
	}
	elems := splitList(ts, i)
	for _, el := range elems {
		if c, ok := columnDef(el); ok {
			cols = append(cols, c)
		}
	}
	return table, cols, true
}

// splitList splits the parenthesized list opening at ts[open] into its
// elements at top-level commas, up to its closing parenthesis (or the end
// when that is missing).
func splitList(ts []token, open int) [][]token { return splitCommas(ts[open+1:], true) }

// splitTop splits ts at commas outside parentheses.
func splitTop(ts []token) [][]token { return splitCommas(ts, false) }

// splitCommas splits ts at the commas outside the parentheses and brackets
// opened in it. An unmatched ')' or ']' ends the list when inList (ts
// follows the list's '('); otherwise it is passed over.
func splitCommas(ts []token, inList bool) [][]token {
	var out [][]token
	depth, start, end := 0, 0, len(ts)
scan:
	for i, t := range ts {
		switch {
		case t.punct('(') || t.punct('['):
			depth++
		case t.punct(')') || t.punct(']'):
			if depth > 0 {
				depth--
			} else if inList {
				end = i
				break scan
			}
		case t.punct(',') && depth == 0:
			if i > start {
				out = append(out, ts[start:i])
			}
			start = i + 1
		}
	}
	if end > start {
		out = append(out, ts[start:end])
	}
	return out
}

// tableConstraint reports whether a table element (or what follows ADD)
// is a constraint or index rather than a column definition.
func tableConstraint(el []token) bool {
	t := at(el, 0)
	if t.kind != tWord {
		return false
	}
	switch strings.ToUpper(t.text) {
	case "CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "LIKE":
		return true
	case "INDEX", "KEY", "FULLTEXT", "SPATIAL", "EXCLUDE", "PERIOD", "PARTITION":
		// Not reserved everywhere ("key text" is a PostgreSQL column): an
		// index is KEY [name] [USING …] (cols…), a column name type….
		n := at(el, 1)
		switch {
		case n.punct('('), n.is("KEY"), n.is("INDEX"), n.is("USING"), n.is("FOR"):
			return true
		case n.ident() && at(el, 2).is("USING"):
			return true
		case n.ident() && at(el, 2).punct('('):
			a := at(el, 3)
			return a.ident() || a.punct('(')
		}
	}
	return false
}

// columnDef parses "name type [options…]".
func columnDef(el []token) (column, bool) {
	if len(el) == 0 || !el[0].ident() || tableConstraint(el) {
		return column{}, false
	}
	typ, _ := readType(el, 1)
	return column{name: el[0].text, typ: typ, line: el[0].line}, true
}

// stopWords end a column's type: the column options that may follow it.
var stopWords = map[string]bool{
	"NOT": true, "NULL": true, "DEFAULT": true, "CONSTRAINT": true, "PRIMARY": true,
	"KEY": true, "UNIQUE": true, "REFERENCES": true, "CHECK": true, "COLLATE": true,
	"COMMENT": true, "GENERATED": true, "AS": true, "AUTO_INCREMENT": true,
	"AUTOINCREMENT": true, "ON": true, "CHARSET": true, "VISIBLE": true,
	"INVISIBLE": true, "STORAGE": true, "COLUMN_FORMAT": true, "SRID": true,
	"STORED": true, "VIRTUAL": true, "PERSISTENT": true, "IDENTITY": true, "ENCODE": true,
	"COMPRESSION": true, "DEFERRABLE": true, "INITIALLY": true, "MATCH": true,
	"FIRST": true, "AFTER": true, "USING": true, "OPTIONS": true, "ENCRYPTED": true,
	"ENFORCED": true, "INDEX": true, "INVISIBLE_COLUMN": true,
}

// laterStopWords end a type only after its first word ("binary(16)" is a
// type, "varchar(10) binary" an option).
var laterStopWords = map[string]bool{"BINARY": true, "ASCII": true, "UNICODE": true, "SERIAL": true, "BYTE": true}

// maxTypeWords bounds a type's words; no SQL type has more.
const maxTypeWords = 8

// readType reads the type words starting at ts[i] and returns them
// lower-cased ("varchar(255)", "timestamp with time zone", "text[]",
// "numeric(12,2)"); string literals in them (enum values) keep their case.
func readType(ts []token, i int) (string, int) {
	var b strings.Builder
	words := 0
	join := false // the next word continues a dotted name
	for i < len(ts) && words < maxTypeWords {
		t := ts[i]
		switch {
		case t.kind == tWord:
			up := strings.ToUpper(t.text)
			if stopWords[up] || words > 0 && laterStopWords[up] ||
				up == "CHARACTER" && at(ts, i+1).is("SET") || up == "CHAR" && at(ts, i+1).is("SET") {
				return b.String(), i
			}
			if words > 0 && !join {
				b.WriteByte(' ')
			}
			b.WriteString(strings.ToLower(t.text))
			words++
			i++
		case t.kind == tQuoted && (words == 0 || join):
			b.WriteString(strings.ToLower(t.text))
			words++
			i++
		case t.punct('.') && words > 0 && !join:
			b.WriteByte('.')
			join = true
			i++
			continue
		default:
			return b.String(), i
		}
		join = false
		// Modifiers and array bounds follow the word directly.
		for at(ts, i).punct('(') || at(ts, i).punct('[') {
			i = writeGroup(&b, ts, i)
		}
	}
	return b.String(), i
}

// writeGroup writes the bracketed group opening at ts[i] compactly
// ("(12,2)", "('a','b')", "[]") and returns the index after it.
func writeGroup(b *strings.Builder, ts []token, i int) int {
	depth := 0
	var prev token
	for ; i < len(ts); i++ {
		t := ts[i]
		wordy := t.kind != tPunct
		if wordy && prev.kind != 0 && prev.kind != tPunct {
			b.WriteByte(' ')
		}
		switch t.kind {
		case tString:
			b.WriteByte('\'')
			b.WriteString(strings.ReplaceAll(t.text, "'", "''"))
			b.WriteByte('\'')
		case tPunct:
			b.WriteString(t.text)
		default:
			b.WriteString(strings.ToLower(t.text))
		}
		prev = t
		switch {
		case t.punct('(') || t.punct('['):
			depth++
		case t.punct(')') || t.punct(']'):
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return i
}

// parseAlter parses ALTER TABLE [ONLY] [IF EXISTS] name action, … and
// returns the columns its actions add, rename, change or retype.
func parseAlter(ts []token) (string, []column) {
	i := 1
	for at(ts, i).is("ONLINE") || at(ts, i).is("OFFLINE") || at(ts, i).is("IGNORE") {
		i++
	}
	if !at(ts, i).is("TABLE") {
		return "", nil
	}
	i = ifExists(ts, i+1)
	if at(ts, i).is("ONLY") {
		i++
	}
	i = ifExists(ts, i)
	table, i, ok := qualifiedName(ts, i)
	if !ok {
		return "", nil
	}
	if at(ts, i).punct('*') {
		i++
	}
	var cols []column
	for _, act := range splitTop(ts[i:]) {
		cols = append(cols, alterAction(act)...)
	}
	return table, cols
}

func alterAction(a []token) []column {
	t := at(a, 0)
	j := 1
	column1 := at(a, j).is("COLUMN")
	if column1 {
		j++
	}
	switch {
	case t.is("ADD"):
		j = ifExists(a, j)
		if at(a, j).punct('(') {
			// MySQL: ADD [COLUMN] (a int, b text)
			var cols []column
			elems := splitList(a, j)
			for _, el := range elems {
				if c, ok := columnDef(el); ok {
					cols = append(cols, c)
				}
			}
			return cols
		}
		if !column1 && tableConstraint(a[j:]) {
			return nil
		}
		if c, ok := columnDef(a[j:]); ok {
			return []column{c}
		}
	case t.is("RENAME"):
		if !column1 {
			if n := at(a, 1); n.is("TO") || n.is("AS") || n.is("CONSTRAINT") || n.is("INDEX") || n.is("KEY") {
				return nil
			}
		}
		if at(a, j).ident() && at(a, j+1).is("TO") && at(a, j+2).ident() {
			n := a[j+2]
			return []column{{name: n.text, line: n.line}}
		}
	case t.is("CHANGE"):
		if at(a, j).ident() && at(a, j+1).ident() {
			n := a[j+1]
			typ, _ := readType(a, j+2)
			return []column{{name: n.text, typ: typ, line: n.line}}
		}
	case t.is("MODIFY"):
		if c, ok := columnDef(a[j:]); ok {
			return []column{c}
		}
	case t.is("ALTER"):
		// PostgreSQL: ALTER [COLUMN] c [SET DATA] TYPE t
		if !at(a, j).ident() {
			return nil
		}
		n := a[j]
		k := j + 1
		if at(a, k).is("SET") && at(a, k+1).is("DATA") {
			k += 2
		}
		if at(a, k).is("TYPE") {
			typ, _ := readType(a, k+1)
			return []column{{name: n.text, typ: typ, line: n.line}}
		}
	}
	return nil
}
