package files

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
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
// it when not nil: CRC32, size, type, flags, data size, fields. split
// adds the flags of a file block whose data goes on from the volume
// before (0x0008) or into the next (0x0010).
func rar5Block(typ, split uint64, fields, extra, data []byte) []byte {
	flags := split
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

// rarVolumes writes files as the volumes of an archive, as RAR does: each
// volume holds at most size bytes of file data, and a file that does not
// fit goes on in the next. block writes the block of a file with a piece
// of its data (before: it goes on from the volume before; after: into the
// next); volume wraps the blocks of volume k.
func rarVolumes(size int, files []rarFile, block func(f rarFile, data []byte, before, after bool) []byte, volume func(k int, last bool, blocks []byte) []byte) [][]byte {
	var vols [][]byte
	var cur []byte
	room := size
	for _, f := range files {
		data, before := f.data, false
		for {
			if room == 0 && len(data) > 0 {
				vols, cur, room = append(vols, volume(len(vols), false, cur)), nil, size
			}
			n := min(room, len(data))
			cur = append(cur, block(f, data[:n], before, n < len(data))...)
			data, room, before = data[n:], room-n, true
			if len(data) == 0 {
				break
			}
		}
	}
	return append(vols, volume(len(vols), true, cur))
}

// rar5 is a RAR 5 archive of files in one volume.
func rar5(files ...rarFile) []byte { return rar5Volumes(math.MaxInt, files...)[0] }

// rar5Volumes is a RAR 5 archive of files in volumes of size bytes of data.
func rar5Volumes(size int, files ...rarFile) [][]byte {
	block := func(f rarFile, data []byte, before, after bool) []byte {
		flags, unpacked := uint64(0x0004), uint64(len(f.data)) // CRC32 present
		if f.dir {
			flags = 0x0001
		}
		if f.unpacked != 0 {
			unpacked = f.unpacked
		}
		fields := rarVint(rarVint(rarVint(nil, flags), unpacked), 0o644)
		if !f.dir {
			fields = binary.LittleEndian.AppendUint32(fields, crc32.ChecksumIEEE(f.data))
		}
		fields = rarVint(fields, f.method<<7|f.dict<<10)
		fields = rarVint(fields, 1) // made on Unix
		fields = append(rarVint(fields, uint64(len(f.name))), f.name...)
		var extra []byte
		if f.encrypted {
			// An encryption record: AES-256, no flags, KDF count 15, a
			// salt and an IV.
			rec := append(rarVint(rarVint(nil, 0), 0), 15)
			rec = append(rec, make([]byte, 32)...)
			extra = append(rarVint(nil, uint64(len(rec)+1)), append(rarVint(nil, 1), rec...)...)
		}
		if f.dir {
			data = nil
		} else if data == nil {
			data = []byte{}
		}
		var split uint64
		if before {
			split |= 0x0008
		}
		if after {
			split |= 0x0010
		}
		return rar5Block(2, split, fields, extra, data)
	}
	volume := func(k int, last bool, blocks []byte) []byte {
		// Archive flags: a volume, with its number after the first; the
		// end block says whether a volume follows.
		main := rarVint(nil, 0)
		switch {
		case k > 0:
			main = rarVint(rarVint(nil, 0x0003), uint64(k))
		case !last:
			main = rarVint(nil, 0x0001)
		}
		b := append([]byte("Rar!\x1a\x07\x01\x00"), rar5Block(1, 0, main, nil, nil)...)
		return append(append(b, blocks...), rar5Block(5, 0, rarVint(nil, uint64(btoi(!last))), nil, nil)...)
	}
	return rarVolumes(size, files, block, volume)
}

// rar15Block is a RAR 1.5 block: CRC16 (the low half of a CRC32), type,
// flags, size, then the fields.
func rar15Block(typ byte, flags uint16, fields []byte) []byte {
	h := append([]byte{typ}, binary.LittleEndian.AppendUint16(nil, flags)...)
	h = binary.LittleEndian.AppendUint16(h, uint16(2+len(h)+2+len(fields)))
	h = append(h, fields...)
	return append(binary.LittleEndian.AppendUint16(nil, uint16(crc32.ChecksumIEEE(h))), h...)
}

// rar15 is a RAR 1.5 archive of files in one volume.
func rar15(files ...rarFile) []byte { return rar15Volumes(math.MaxInt, 0, files...)[0] }

// rar15Volumes is a RAR 1.5 archive of files in volumes of size bytes of
// data, named the old way (name.rar, name.r00, …); first is the flag RAR
// 3.0 and later set on the first volume (0x0100), or 0 as RAR 2 writes.
func rar15Volumes(size int, first uint16, files ...rarFile) [][]byte {
	block := func(f rarFile, data []byte, before, after bool) []byte {
		flags, unpacked, version := uint16(0x8000), uint32(len(f.data)), f.version
		if f.dir {
			flags |= 0x00e0
		}
		if before {
			flags |= 0x0001
		}
		if after {
			flags |= 0x0002
		}
		if f.unpacked != 0 {
			unpacked = uint32(f.unpacked)
		}
		if version == 0 {
			version = 20
		}
		var fields []byte
		fields = binary.LittleEndian.AppendUint32(fields, uint32(len(data))) // packed
		fields = binary.LittleEndian.AppendUint32(fields, unpacked)
		fields = append(fields, 3) // made on Unix
		fields = binary.LittleEndian.AppendUint32(fields, crc32.ChecksumIEEE(f.data))
		fields = binary.LittleEndian.AppendUint32(fields, 0x5a210000) // 2025-01-01
		fields = append(fields, version, 0x30+byte(f.method))
		fields = binary.LittleEndian.AppendUint16(fields, uint16(len(f.name)))
		fields = binary.LittleEndian.AppendUint32(fields, 0o100644<<16)
		fields = append(fields, f.name...)
		return append(rar15Block(0x74, flags, fields), data...)
	}
	volume := func(k int, last bool, blocks []byte) []byte {
		var flags, end uint16
		if k > 0 || !last {
			flags = 0x0001
		}
		if k == 0 && !last {
			flags |= first
		}
		if !last {
			end = 0x0001
		}
		b := append([]byte("Rar!\x1a\x07\x00"), rar15Block(0x73, flags, make([]byte, 6))...) // archive header
		return append(append(b, blocks...), rar15Block(0x7b, end, nil)...)
	}
	return rarVolumes(size, files, block, volume)
}

// rar5Encrypted is a RAR 5 archive whose headers are encrypted: an
// encryption header (AES-256, KDF count 15, a salt) after the signature.
func rar5Encrypted() []byte {
	fields := append(rarVint(rarVint(nil, 0), 0), 15)
	b := append([]byte("Rar!\x1a\x07\x01\x00"), rar5Block(4, 0, append(fields, make([]byte, 16)...), nil, nil)...)
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

// The volumes of a multi-volume RAR archive on disk are read as one
// archive from the first, in both namings, and the later volumes are
// skipped with the first's name; a volume that cannot be read ends the
// archive with an error that names it, and the files before count.
func TestRARVolumes(t *testing.T) {
	var rows strings.Builder
	rows.WriteString("navn;fødselsnummer\n")
	for range 40 {
		rows.WriteString("Kari;10048744732\n")
	}
	csv := []byte(rows.String())
	note := []byte("fnr 23114048690\n")
	files := []rarFile{{name: "a.txt", data: note}, {name: "lonn/ansatte.csv", data: csv}, {name: "b.txt", data: note}}
	const size = 300 // bytes of data a volume holds: the CSV spans three
	dir := t.TempDir()
	v5 := rar5Volumes(size, files...)
	if len(v5) < 3 {
		t.Fatalf("%d volumes", len(v5))
	}
	for k, v := range v5 {
		write(t, dir, fmt.Sprintf("backup.part%02d.rar", k+1), v)
		write(t, dir, fmt.Sprintf("uten-tredje.part%d.rar", k+1), v)
		write(t, dir, fmt.Sprintf("unntatt.part%d.rar", k+1), v)
		if k > 0 {
			write(t, dir, fmt.Sprintf("uten-forste.part%d.rar", k+1), v)
		}
	}
	os.Remove(filepath.Join(dir, "uten-tredje.part3.rar"))
	for k, v := range rar15Volumes(size, 0x0100, files...) {
		name := "rar3.rar"
		if k > 0 {
			name = fmt.Sprintf("rar3.r%02d", k-1)
		}
		write(t, dir, name, v)
	}
	for k, v := range rar15Volumes(size, 0, files...) {
		name := "rar2.rar"
		if k > 0 {
			name = fmt.Sprintf("rar2.r%02d", k-1)
		}
		write(t, dir, name, v)
	}
	if err := os.Symlink(filepath.Join(dir, "backup.part02.rar"), filepath.Join(dir, "lenke.part2.rar")); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "lenke.part1.rar", v5[0])
	rec, _ := scanTree(t, dir, Options{Exclude: []string{"unntatt.part2.rar"}})

	for _, a := range []string{"backup.part01.rar", "rar3.rar", "rar2.rar"} {
		if got := rec.values[a+"!lonn/ansatte.csv|fødselsnummer"]; len(got) != 40 {
			t.Errorf("%s: %d of 40 values (skipped %q, errors %q)", a, len(got), rec.skipped, rec.errs)
		}
		if !rec.has(a+"!a.txt|", "23114048690") || !rec.has(a+"!b.txt|", "23114048690") {
			t.Errorf("%s: the files before and after: %v", a, rec.kinds)
		}
	}
	for name, first := range map[string]string{
		"backup.part02.rar": "backup.part01.rar", "backup.part03.rar": "backup.part01.rar",
		"rar3.r00": "rar3.rar", "rar2.r01": "rar2.rar", "uten-tredje.part2.rar": "uten-tredje.part1.rar",
	} {
		if got := rec.skipped[name]; !strings.Contains(got, "read with its first volume, "+first) {
			t.Errorf("%s: skipped %q", name, got)
		}
	}
	for name, want := range map[string]string{
		"uten-tredje.part1.rar": "the archive goes on in volume uten-tredje.part3.rar: no such file",
		"unntatt.part1.rar":     "the archive goes on in volume unntatt.part2.rar: excluded from the scan",
		"lenke.part1.rar":       "the archive goes on in volume lenke.part2.rar: not a regular file (symlink)",
	} {
		var got string
		for part, e := range rec.errs {
			if strings.HasPrefix(part, name) {
				got = e
			}
		}
		if !strings.Contains(got, want) || !rec.has(name+"!a.txt|", "23114048690") {
			t.Errorf("%s: error %q, want %q; a.txt read: %v", name, got, want, rec.has(name+"!a.txt|", "23114048690"))
		}
	}
	if len(rec.errs) != 3 {
		t.Errorf("errors: %q", rec.errs)
	}
	// rardecode reads no later volume without its first.
	if got := rec.skipped["uten-forste.part2.rar"]; !strings.Contains(got, "not read without its first, uten-forste.part1.rar: no such file") {
		t.Errorf("a volume without its first: skipped %q", got)
	}
}
