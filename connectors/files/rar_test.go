package files

import (
	"encoding/binary"
	"hash/crc32"
	"slices"
	"strings"
	"testing"
)

// No tool that writes RAR is free to install, so the tests write RAR 5
// and RAR 1.5 (RAR 4) archives by the format's published description
// (rarlab's "RAR 5.0 archive format" and the RAR 1.5 technote), storing
// their files uncompressed: the archive's framing is datakart's to read
// right; decompression is rardecode's, which FuzzRAR runs over.

// rarFile is a file of a test archive. method, dict and version only say
// what the header claims, the data is stored as it is: the compression
// method (0 stored, 1 to 5), RAR 5's dictionary (128 KiB << dict), and
// the RAR 1.5 format's version of the coder (15, 20 or 29; 20 when 0).
type rarFile struct {
	name         string
	data         []byte
	dir          bool
	method, dict uint64
	version      byte
	unpacked     uint64 // the size the header claims, when not len(data)
	encrypted    bool
}

func rarVint(b []byte, v uint64) []byte {
	for ; v >= 0x80; v >>= 7 {
		b = append(b, byte(v)|0x80)
	}
	return append(b, byte(v))
}

// rar5Block is a RAR 5 header of type typ with its fields, and data after
// it when not nil: CRC32, size, type, flags, data size, fields.
func rar5Block(typ uint64, fields, extra, data []byte) []byte {
	var flags uint64
	if extra != nil {
		flags |= 0x0001
	}
	if data != nil {
		flags |= 0x0002
	}
	body := rarVint(rarVint(nil, typ), flags)
	if extra != nil {
		body = rarVint(body, uint64(len(extra)))
	}
	if data != nil {
		body = rarVint(body, uint64(len(data)))
	}
	body = append(append(body, fields...), extra...)
	h := append(rarVint(nil, uint64(len(body))), body...)
	return append(append(binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(h)), h...), data...)
}

func rar5(files ...rarFile) []byte {
	b := []byte("Rar!\x1a\x07\x01\x00")
	b = append(b, rar5Block(1, rarVint(nil, 0), nil, nil)...) // main header, no archive flags
	for _, f := range files {
		flags, size := uint64(0x0004), uint64(len(f.data)) // CRC32 present
		if f.dir {
			flags = 0x0001
		}
		if f.unpacked != 0 {
			size = f.unpacked
		}
		fields := rarVint(rarVint(rarVint(nil, flags), size), 0o644)
		if !f.dir {
			fields = binary.LittleEndian.AppendUint32(fields, crc32.ChecksumIEEE(f.data))
		}
		fields = rarVint(fields, f.method<<7|f.dict<<10)
		fields = rarVint(fields, 1) // made on Unix
		fields = append(rarVint(fields, uint64(len(f.name))), f.name...)
		var extra, data []byte
		if f.encrypted {
			// An encryption record: AES-256, no flags, KDF count 15, a
			// salt and an IV.
			rec := append(rarVint(rarVint(nil, 0), 0), 15)
			rec = append(rec, make([]byte, 32)...)
			extra = append(rarVint(nil, uint64(len(rec)+1)), append(rarVint(nil, 1), rec...)...)
		}
		if !f.dir {
			data = f.data
		}
		b = append(b, rar5Block(2, fields, extra, data)...)
	}
	return append(b, rar5Block(5, rarVint(nil, 0), nil, nil)...)
}

// rar15Block is a RAR 1.5 block: CRC16 (the low half of a CRC32), type,
// flags, size, then the fields.
func rar15Block(typ byte, flags uint16, fields []byte) []byte {
	h := append([]byte{typ}, binary.LittleEndian.AppendUint16(nil, flags)...)
	h = binary.LittleEndian.AppendUint16(h, uint16(2+len(h)+2+len(fields)))
	h = append(h, fields...)
	return append(binary.LittleEndian.AppendUint16(nil, uint16(crc32.ChecksumIEEE(h))), h...)
}

func rar15(files ...rarFile) []byte {
	b := []byte("Rar!\x1a\x07\x00")
	b = append(b, rar15Block(0x73, 0, make([]byte, 6))...) // archive header
	for _, f := range files {
		flags, size, version := uint16(0x8000), uint32(len(f.data)), f.version
		if f.dir {
			flags |= 0x00e0
		}
		if f.unpacked != 0 {
			size = uint32(f.unpacked)
		}
		if version == 0 {
			version = 20
		}
		var fields []byte
		fields = binary.LittleEndian.AppendUint32(fields, uint32(len(f.data))) // packed
		fields = binary.LittleEndian.AppendUint32(fields, size)
		fields = append(fields, 3) // made on Unix
		fields = binary.LittleEndian.AppendUint32(fields, crc32.ChecksumIEEE(f.data))
		fields = binary.LittleEndian.AppendUint32(fields, 0x5a210000) // 2025-01-01
		fields = append(fields, version, 0x30+byte(f.method))
		fields = binary.LittleEndian.AppendUint16(fields, uint16(len(f.name)))
		fields = binary.LittleEndian.AppendUint32(fields, 0o100644<<16)
		fields = append(fields, f.name...)
		b = append(append(b, rar15Block(0x74, flags, fields)...), f.data...)
	}
	return append(b, rar15Block(0x7b, 0, nil)...)
}

// rar5Encrypted is a RAR 5 archive whose headers are encrypted: an
// encryption header (AES-256, KDF count 15, a salt) after the signature.
func rar5Encrypted() []byte {
	fields := append(rarVint(rarVint(nil, 0), 0), 15)
	b := append([]byte("Rar!\x1a\x07\x01\x00"), rar5Block(4, append(fields, make([]byte, 16)...), nil, nil)...)
	return append(b, make([]byte, 64)...)
}

func TestRAR(t *testing.T) {
	csv := []byte("navn;fødselsnummer\nKari;10048744732\nOla;23114048690\n")
	note := []byte("Sak 4471: ny konto oppgitt, fnr 10048745526.\n")
	archive := rar5(rarFile{name: "lonn", dir: true}, rarFile{name: "lonn/ansatte.csv", data: csv}, rarFile{name: "sak/notat.txt", data: note})
	dir := t.TempDir()
	write(t, dir, "backup.rar", archive)
	write(t, dir, "gammel.rar", rar15(rarFile{name: "lonn", dir: true}, rarFile{name: "lonn/ansatte.csv", data: csv}))
	write(t, dir, "i-zip.zip", zipOf(t, map[string][]byte{"arkiv/backup.rar": archive}))
	write(t, dir, "uten-navn", archive) // known by its signature
	write(t, dir, "avkuttet.rar", archive[:len(archive)-len(note)-30])
	write(t, dir, "stor-ordbok.rar", rar5(rarFile{name: "a.txt", data: note},
		rarFile{name: "b.txt", data: note, method: 1, dict: 15, unpacked: 8 << 30}, rarFile{name: "c.txt", data: note}))
	write(t, dir, "kryptert.rar", rar5(rarFile{name: "a.txt", data: note, encrypted: true}, rarFile{name: "b.txt", data: note}))
	write(t, dir, "tom.rar", rar5())
	write(t, dir, "kryptert-hode.rar", rar5Encrypted())
	write(t, dir, "etter.txt", []byte("fnr 10048744732\n"))
	rec, _ := scanTree(t, dir, Options{})
	for _, k := range []string{"backup.rar!lonn/ansatte.csv", "gammel.rar!lonn/ansatte.csv", "i-zip.zip!arkiv/backup.rar!lonn/ansatte.csv", "uten-navn!lonn/ansatte.csv", "avkuttet.rar!lonn/ansatte.csv"} {
		if got := rec.values[k+"|fødselsnummer"]; !slices.Equal(got, []string{"10048744732", "23114048690"}) {
			t.Errorf("%s: %q (parts %v, errors %v)", k, got, rec.kinds, rec.errs)
		}
	}
	for _, k := range []string{"backup.rar!sak/notat.txt|", "stor-ordbok.rar!a.txt|", "kryptert.rar!b.txt|"} {
		if !rec.has(k, "10048745526") {
			t.Errorf("%s: %q", k, rec.text(k))
		}
	}
	if !rec.has("etter.txt|", "10048744732") || rec.kinds["tom.rar"] != "rar" {
		t.Errorf("the file after: %q; the empty archive: %q", rec.text("etter.txt|"), rec.kinds["tom.rar"])
	}
	for name, want := range map[string]string{
		"stor-ordbok.rar":    "dictionary over 64 MiB",
		"kryptert.rar!a.txt": "encrypted",
		"kryptert-hode.rar":  "encrypted RAR archive",
	} {
		if got := rec.skipped[name]; !strings.Contains(got, want) {
			t.Errorf("%s: skipped %q, want %q (errors %q)", name, got, want, rec.errs[name])
		}
	}
	if _, read := rec.kinds["stor-ordbok.rar!c.txt"]; read {
		t.Errorf("a file after the refused one was read: %v", rec.kinds)
	}
	for name, e := range rec.errs {
		if !strings.HasPrefix(name, "avkuttet.rar") || !strings.Contains(e, "rar") {
			t.Errorf("%s: error %q", name, e)
		}
	}
	if len(rec.errs) == 0 {
		t.Errorf("the cut archive has no error: %v", rec.kinds)
	}
}

// --max-archive-entries stops reading a RAR archive as it does a zip.
func TestRAREntryLimit(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "backup.rar", rar5(rarFile{name: "a.txt", data: []byte("fnr 10048744732\n")}, rarFile{name: "b.txt", data: []byte("x\n")}, rarFile{name: "c.txt", data: []byte("y\n")}))
	rec, _ := scanTree(t, dir, Options{MaxArchiveEntries: 1})
	if !rec.has("backup.rar!a.txt|", "10048744732") || !strings.Contains(rec.skipped["backup.rar!b.txt"], "max-archive-entries") {
		t.Errorf("values %v, skipped %v, errors %v", rec.values, rec.skipped, rec.errs)
	}
	if _, read := rec.kinds["backup.rar!c.txt"]; read {
		t.Errorf("read past the limit: %v", rec.kinds)
	}
}
