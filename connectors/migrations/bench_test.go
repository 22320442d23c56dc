package migrations

import (
	"context"
	"strings"
	"testing"
)

// dump is a mysqldump-like file: a table definition and many INSERT rows.
func dump(rows int) string {
	var b strings.Builder
	b.WriteString(my001)
	b.WriteString("INSERT INTO `kunder` VALUES ")
	for i := range rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("(1,'01010112345','Aktiv','it\\'s; a note',12.50,'x','y','2024-01-01 00:00:00')\n")
	}
	b.WriteString(";\n")
	b.WriteString(pg001)
	return b.String()
}

func BenchmarkParse(b *testing.B) {
	src := dump(100000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		s := &recSink{t: b}
		if err := Parse(context.Background(), strings.NewReader(src), s); err != nil {
			b.Fatal(err)
		}
	}
}
