package files

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"

	"golang.org/x/net/html"

	"datakart/connectors"
	"datakart/internal/pdftext"
)

// readerAt gives random access to r, which zip needs: the file itself when
// it is one, else a copy in memory bounded by MaxMemberBytes.
func (d *decoder) readerAt(r io.Reader) (io.ReaderAt, int64, error) {
	if f, ok := r.(*os.File); ok {
		st, err := f.Stat()
		if err != nil {
			return nil, 0, err
		}
		return f, st.Size(), nil
	}
	b, err := d.memberBytes(r)
	if err != nil {
		return nil, 0, err
	}
	return bytes.NewReader(b), int64(len(b)), nil
}

// beginRandom begins the part of a file read by random access (a PST, an
// Access database) and gives that access: to the file f where there is
// one, else to r in memory. Where it cannot, the part records why.
func (d *decoder) beginRandom(r io.Reader, f *os.File, part, kind string) (io.ReaderAt, int64, bool) {
	d.sink.Begin(connectors.Part{Path: part, Kind: kind})
	if f != nil {
		r = f
	}
	ra, size, err := d.readerAt(r)
	if err != nil {
		d.partFailed(kind, err)
		return nil, 0, false
	}
	return ra, size, true
}

// memberBytes reads r whole, at most MaxMemberBytes of it: a member that
// must be held in memory.
func (d *decoder) memberBytes(r io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, d.opt.MaxMemberBytes+1))
	if err != nil {
		return nil, err
	}
	if n > d.opt.MaxMemberBytes {
		return nil, fmt.Errorf("%w: member larger than %d bytes cannot be opened in memory (--max-member-bytes)", connectors.ErrLimit, d.opt.MaxMemberBytes)
	}
	return buf.Bytes(), nil
}

// errSkip is an error that means the part is not read, for a reason
// (an encrypted or a too old document): partFailed records it as skipped.
type errSkip string

func (e errSkip) Error() string { return string(e) }

// openFailed records why a reader refused a file: skipped where it is of
// a kind the reader does not read (unsupported), else an error.
func (d *decoder) openFailed(kind string, err, unsupported error) {
	if errors.Is(err, unsupported) {
		err = errSkip(err.Error())
	}
	d.partFailed(kind, err)
}

// kindError names the format kind in err, unless err's message already
// begins with it: "xz: data is corrupt", not "xz: xz: data is corrupt".
func kindError(kind string, err error) error {
	if strings.HasPrefix(err.Error(), kind+": ") {
		return err
	}
	return fmt.Errorf("%s: %w", kind, err)
}

// partFailed records on a part begun why it could not be read: skipped
// where a limit or a known reason stopped it (connectors.ErrLimit, an
// errSkip), else an error of the format kind.
func (d *decoder) partFailed(kind string, err error) {
	var skip errSkip
	if errors.As(err, &skip) || errors.Is(err, connectors.ErrLimit) {
		d.sink.PartSkipped(err.Error())
	} else {
		d.sink.PartError(kindError(kind, err))
	}
}

func (d *decoder) zip(ctx context.Context, r io.Reader, name, part string, depth int, kind string) error {
	if d.tooDeep(part, kind, depth) {
		return nil
	}
	ra, size, err := d.readerAt(r)
	if err != nil {
		d.sink.Begin(connectors.Part{Path: part, Kind: kind})
		d.partFailed(kind, err)
		return nil
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		d.sink.Begin(connectors.Part{Path: part, Kind: kind})
		d.sink.PartError(kindError(kind, err))
		return nil
	}
	if kind == "zip" {
		kind = officeKind(zr)
	}
	switch kind {
	case "xlsx":
		err = d.xlsx(ctx, zr, part)
	case "docx":
		err = d.docx(ctx, zr, part)
	case "pptx":
		d.sink.Begin(connectors.Part{Path: part, Kind: kind})
		err = d.paragraphMembers(ctx, zr, kind, false, pptxParts(zr)...)
	case "odt", "odp":
		// Headers and footers are in styles.xml.
		d.sink.Begin(connectors.Part{Path: part, Kind: kind})
		err = d.paragraphMembers(ctx, zr, kind, true, "content.xml", "styles.xml")
	case "ods":
		err = d.ods(ctx, zr, part)
	default:
		return d.zipMembers(ctx, zr, part, kind, depth, nil)
	}
	if err != nil {
		return err
	}
	if err := d.odfObjects(ctx, zr, part); err != nil {
		return err
	}
	// The files a document holds are read as its members: the
	// spreadsheet embedded in a letter or behind a chart, a document
	// packaged into a slide (see olePackage); with --ocr, its pictures too
	// (a passport scanned into a letter, a screenshot on a slide).
	return d.zipMembers(ctx, zr, part, kind, depth, func(name string) bool {
		return officeEmbedded(name) || d.opt.ocr != nil && officePicture(name)
	})
}

// officeEmbedded is true for the members where Office files keep the
// files embedded in them: a workbook, a document, or an OLE object's
// compound file.
func officeEmbedded(name string) bool {
	for _, dir := range []string{"word/embeddings/", "xl/embeddings/", "ppt/embeddings/"} {
		if strings.HasPrefix(name, dir) {
			return true
		}
	}
	return false
}

// odfObjects reads the objects embedded in an OpenDocument file (a
// spreadsheet in a letter, a chart and its data table), each a member
// named by its folder ("brev.odt!Object 1"): a spreadsheet's cells as an
// .ods file's, the others' paragraphs as an .odt file's.
func (d *decoder) odfObjects(ctx context.Context, zr *zip.Reader, part string) error {
	var manifest struct {
		Entries []struct {
			Path string `xml:"full-path,attr"`
			Type string `xml:"media-type,attr"`
		} `xml:"file-entry"`
	}
	var types map[string]string // read at the first object
	for _, f := range zr.File {
		dir, ok := strings.CutSuffix(f.Name, "/content.xml")
		if !ok || !strings.HasPrefix(dir, "Object ") {
			continue
		}
		if types == nil {
			types = map[string]string{}
			if decodeMember(zr, "META-INF/manifest.xml", &manifest) == nil {
				for _, e := range manifest.Entries {
					types[strings.TrimSuffix(e.Path, "/")] = e.Type
				}
			}
		}
		member := joinPart(part, dir)
		spreadsheet := types[dir] == "application/vnd.oasis.opendocument.spreadsheet"
		kind := "odt"
		if spreadsheet {
			kind = "ods"
		}
		d.sink.Begin(connectors.Part{Path: member, Kind: kind})
		rc, err := f.Open()
		if err != nil {
			d.sink.PartError(kindError(kind, err))
			continue
		}
		if spreadsheet {
			err = d.odsSheets(ctx, rc)
		} else {
			line := 0
			_, err = d.paragraphs(ctx, rc, kind, true, &line, nil)
		}
		rc.Close()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			d.sink.PartError(kindError(kind, err))
		}
	}
	return nil
}

// officePicture is true for the members where Office and OpenDocument
// files keep their pictures.
func officePicture(name string) bool {
	for _, dir := range []string{"word/media/", "xl/media/", "ppt/media/", "Pictures/"} {
		if strings.HasPrefix(name, dir) {
			return true
		}
	}
	return false
}

// zipMembers reads the files of a zip as members, or only those only
// is true for when it is not nil (and then the zip is a document already
// begun).
func (d *decoder) zipMembers(ctx context.Context, zr *zip.Reader, part, kind string, depth int, only func(string) bool) error {
	entries := 0
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f.FileInfo().IsDir() || only != nil && !only(f.Name) {
			continue
		}
		member := joinPart(part, f.Name)
		entries++
		if skip, stop := d.skipMember(member, entries); stop {
			return nil
		} else if skip {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			d.sink.Begin(connectors.Part{Path: member, Kind: kindByName(f.Name)})
			d.sink.PartError(fmt.Errorf("zip member: %w", err))
			continue
		}
		beside := d.memberBeside
		d.memberBeside = func(name string) (io.ReadCloser, error) { return zr.Open(path.Join(path.Dir(f.Name), name)) }
		err = d.decode(ctx, &budgetReader{rc, d}, path.Base(f.Name), member, depth+1)
		d.memberBeside = beside
		rc.Close()
		if err != nil {
			return err
		}
	}
	if entries == 0 && only == nil {
		d.sink.Begin(connectors.Part{Path: part, Kind: kind}) // no file in it: the archive is the container
	}
	return nil
}

// tar reads each regular file of a tar stream (a backup.tar.gz comes here
// from gzip) as a member, as zip does, within the same limits; it streams,
// so nothing is held but the member being read.
func (d *decoder) tar(ctx context.Context, r io.Reader, part string, depth int) error {
	if d.tooDeep(part, "tar", depth) {
		return nil
	}
	tr := tar.NewReader(r)
	next := func() (*streamEntry, error) {
		hdr, err := tr.Next()
		if err != nil || !hdr.FileInfo().Mode().IsRegular() {
			return nil, err // directories, links, devices: nothing of their own to read
		}
		return &streamEntry{name: hdr.Name}, nil
	}
	return d.streamArchive(ctx, part, "tar", depth, next, tr, func(err error) { d.partFailed("tar", err) })
}

// streamEntry is a file of an archive read as a stream.
type streamEntry struct {
	name string
	skip string // why the file is not read, or ""
}

// streamArchive reads the files of an archive read as a stream (tar, RAR)
// as members, within the archive limits. next returns each file, or nil
// for an entry with nothing of its own to read, until io.EOF; data reads
// the file next returned; failed records the error that ends the
// archive, which belongs to the archive: what was read before counts.
func (d *decoder) streamArchive(ctx context.Context, part, kind string, depth int, next func() (*streamEntry, error), data io.Reader, failed func(error)) error {
	entries := 0
	logs := &streamLogs{logs: map[string][]byte{}}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		e, err := next()
		if errors.Is(err, io.EOF) {
			if err := logs.release(ctx, d); err != nil {
				return err
			}
			if entries == 0 {
				d.sink.Begin(connectors.Part{Path: part, Kind: kind}) // no file in it: the archive is the container
			}
			return nil
		}
		if err != nil {
			if err := logs.release(ctx, d); err != nil {
				return err
			}
			d.sink.Begin(connectors.Part{Path: part, Kind: kind})
			failed(err)
			return nil
		}
		if e == nil {
			continue
		}
		member := joinPart(part, e.name)
		var r io.Reader = &budgetReader{data, d}
		paired := false
		if e.skip == "" {
			if r, paired, err = logs.pair(ctx, d, member, r); err != nil {
				return err
			}
		}
		entries++
		if r == nil {
			continue // its database's log, which could not be read: recorded
		}
		if skip, stop := d.skipMember(member, entries); stop {
			return nil
		} else if skip {
			continue
		}
		if e.skip != "" {
			d.sink.Begin(connectors.Part{Path: member, Kind: kindByName(e.name)})
			d.sink.PartSkipped(e.skip)
			continue
		}
		if !paired {
			d.stream = logs
		}
		if err := d.decode(ctx, r, path.Base(e.name), member, depth+1); err != nil {
			return err
		}
	}
}

// tooDeep records an archive nested past --max-archive-depth, and says
// whether it is one.
func (d *decoder) tooDeep(part, kind string, depth int) bool {
	if depth <= d.opt.MaxArchiveDepth {
		return false
	}
	d.sink.Begin(connectors.Part{Path: part, Kind: kind})
	d.sink.PartSkipped(fmt.Sprintf("nested archive too deep (more than %d levels; --max-archive-depth)", d.opt.MaxArchiveDepth))
	return true
}

// skipMember records the entries-th member of an archive when a limit
// keeps it from being read, and says whether it did, and whether to stop
// reading the archive (past --max-archive-entries).
func (d *decoder) skipMember(member string, entries int) (skip, stop bool) {
	switch {
	case entries > d.opt.MaxArchiveEntries:
		d.sink.Begin(connectors.Part{Path: member, Kind: kindByName(member)})
		d.sink.PartSkipped(fmt.Sprintf("archive has more than %d members (--max-archive-entries); the rest were not read", d.opt.MaxArchiveEntries))
		return true, true
	case d.budget <= 0:
		d.sink.Begin(connectors.Part{Path: member, Kind: kindByName(member)})
		d.sink.PartSkipped(errBudget.Error())
		return true, false
	}
	return false, false
}

// officeKind tells an Office or OpenDocument file saved under another
// name by its parts: OpenDocument by its mimetype member.
func officeKind(zr *zip.Reader) string {
	for _, f := range zr.File {
		switch f.Name {
		case "xl/workbook.xml":
			return "xlsx"
		case "word/document.xml":
			return "docx"
		case "ppt/presentation.xml":
			return "pptx"
		case "mimetype":
			if k := odfKind(f); k != "" {
				return k
			}
		}
	}
	return "zip"
}

// odfKind is odt, ods or odp by an OpenDocument mimetype member, or "".
func odfKind(f *zip.File) string {
	rc, err := f.Open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 100))
	m, _ := strings.CutSuffix(string(b), "-template")
	switch m {
	case "application/vnd.oasis.opendocument.text":
		return "odt"
	case "application/vnd.oasis.opendocument.spreadsheet":
		return "ods"
	case "application/vnd.oasis.opendocument.presentation":
		return "odp"
	}
	return ""
}

func emptyRow(cols []string) bool {
	for _, c := range cols {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// docx reads the document text: the w:t runs of each paragraph joined,
// since Word splits values across runs, one value per paragraph. The
// body comes first, then its headers and footers (where a letterhead
// keeps a phone number and an e-mail address), footnotes, endnotes and
// comments, as a .doc's are read with its body.
func (d *decoder) docx(ctx context.Context, zr *zip.Reader, part string) error {
	d.sink.Begin(connectors.Part{Path: part, Kind: "docx"})
	parts := []string{"word/document.xml"}
	for _, kind := range []string{"header", "footer", "footnotes", "endnotes", "comments"} {
		var these []string
		for _, f := range zr.File {
			name, ok := strings.CutPrefix(f.Name, "word/"+kind)
			if ok && !strings.Contains(name, "/") && strings.HasSuffix(name, ".xml") {
				these = append(these, f.Name)
			}
		}
		slices.SortFunc(these, byNumber)
		parts = append(parts, these...)
	}
	return d.paragraphMembers(ctx, zr, "docx", false, parts...)
}

// paragraphMembers reads the named members of zr, in order, as the
// paragraphs of one document of kind (for errors), with line numbers that
// go on from one member to the next. The first member must be there.
func (d *decoder) paragraphMembers(ctx context.Context, zr *zip.Reader, kind string, odf bool, names ...string) error {
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		byName[f.Name] = f
	}
	line := 0
	for i, name := range names {
		f := byName[name]
		if f == nil {
			if i == 0 {
				d.sink.PartError(fmt.Errorf("%s: no %s", kind, name))
				return nil
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			d.sink.PartError(kindError(kind, err))
			return nil
		}
		done, err := d.paragraphs(ctx, rc, kind, odf, &line, linkTargets(zr, name))
		rc.Close()
		if err != nil || done {
			return err
		}
	}
	return nil
}

// decodeMember unmarshals a small member of zr into v.
func decodeMember(zr *zip.Reader, name string, v any) error {
	f := zipMember(zr, name)
	if f == nil {
		return errors.New("no " + name)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, 16<<20)).Decode(v)
}

func zipMember(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// linkTargets returns the targets of an OOXML part's relationships by
// their ids (word/document.xml's are in word/_rels/document.xml.rels), for
// its links; nil where it has none.
func linkTargets(zr *zip.Reader, part string) map[string]string {
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	dir, file := path.Split(part)
	if decodeMember(zr, dir+"_rels/"+file+".rels", &rels) != nil {
		return nil
	}
	links := map[string]string{}
	for _, r := range rels.Rels {
		links[r.ID] = r.Target
	}
	return links
}

// byNumber orders the parts of a package by the number in their names:
// slide2 before slide10.
func byNumber(a, b string) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
}

// pptxParts are the slides of a presentation, then their speaker notes,
// each in the order of its number.
func pptxParts(zr *zip.Reader) []string {
	var slides, notes []string
	for _, f := range zr.File {
		switch {
		case strings.HasPrefix(f.Name, "ppt/slides/slide") && strings.HasSuffix(f.Name, ".xml"):
			slides = append(slides, f.Name)
		case strings.HasPrefix(f.Name, "ppt/notesSlides/notesSlide") && strings.HasSuffix(f.Name, ".xml"):
			notes = append(notes, f.Name)
		}
	}
	slices.SortFunc(slides, byNumber)
	slices.SortFunc(notes, byNumber)
	if len(slides) == 0 {
		slides = []string{"ppt/slides/slide1.xml"} // the error names what is missing
	}
	return append(slides, notes...)
}

// paragraphs reads the paragraphs of an Office or OpenDocument XML part,
// one value each: the text of a paragraph's runs joined, since a word
// processor splits values across runs where the formatting or the spell
// checker changed. OOXML (docx, pptx) keeps text in t elements of p
// elements; OpenDocument (odf) in the p and h elements and the spans in
// them. It returns done when the rest of the part was read as text, or
// the read cannot go on.
func (d *decoder) paragraphs(ctx context.Context, r io.Reader, kind string, odf bool, line *int, links map[string]string) (done bool, err error) {
	// A paragraph is kept until it ends, and handed on in pieces past
	// maxRecordBytes: a 600 KB docx of one 300 MB paragraph took 1.9 GB
	// when it was held whole.
	z := newXMLScanner(&budgetReader{r, d})
	var para []byte
	inText := 0 // depth of elements whose text is the document's
	emit := func() error {
		*line++
		if len(bytes.TrimSpace(para)) == 0 {
			para = para[:0]
			return nil
		}
		err := d.sink.Value(connectors.Value{Data: para, Line: *line})
		para = para[:0]
		return err
	}
	start := func(name []byte) {
		switch string(name) {
		case "t":
			if !odf {
				inText++
			}
		case "p", "h":
			if odf {
				inText++
			}
		case "tab":
			para = append(para, '\t')
		case "br", "cr", "line-break":
			para = append(para, '\n')
		case "s": // OpenDocument's run of spaces
			if odf {
				para = append(para, ' ')
			}
		case "a", "hyperlink", "hlinkClick":
			// A link: its mailto: or tel: address is kept, as HTML's is.
			// OpenDocument has it in the link, OOXML in the part's
			// relationships.
			eachAttr(z.Raw(), func(key, val []byte) error {
				var v string
				switch key = localTagName(key); {
				case odf && string(key) == "href":
					v = html.UnescapeString(string(val))
				case !odf && string(key) == "id":
					v = links[html.UnescapeString(string(val))] // already unescaped
				default:
					return nil
				}
				if pdftext.AddressLink(v) {
					para = append(append(append(para, ' '), v...), ' ')
				}
				return nil
			})
		}
	}
	end := func(name []byte) error {
		switch string(name) {
		case "t":
			if !odf {
				inText = max(inText-1, 0)
			}
		case "p", "h":
			if odf {
				inText = max(inText-1, 0)
			}
			if string(name) == "h" && !odf || inText > 0 {
				return nil // a paragraph ends at its outermost element
			}
			return emit()
		}
		return nil
	}
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return true, err
			}
		}
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			zerr := z.Err()
			if len(bytes.TrimSpace(para)) > 0 {
				// A paragraph the part ends in, not closed, is read too.
				if err := emit(); err != nil {
					return true, err
				}
			}
			switch {
			case errors.Is(zerr, io.EOF):
				return false, nil
			case errors.Is(zerr, html.ErrBufferExceeded):
				// Nothing is lost: the document from the long tag on,
				// markup and all, as text.
				d.sink.PartError(fmt.Errorf("%s: a piece of the document over %d MiB; from there it was read as text, markup and all", kind, maxRecordBytes>>20))
				return true, d.text(ctx, z.Rest(), *line+1)
			}
			d.sink.PartError(kindError(kind, zerr))
			return true, nil
		case html.StartTagToken:
			start(localTagName(tagName(z.Raw())))
		case html.SelfClosingTagToken:
			name := localTagName(tagName(z.Raw()))
			start(name)
			if err := end(name); err != nil {
				return true, err
			}
		case html.EndTagToken:
			if err := end(localTagName(tagName(z.Raw()))); err != nil {
				return true, err
			}
		case html.TextToken:
			if inText > 0 {
				para = append(para, z.Text()...)
			}
			if len(para) > maxRecordBytes {
				cut := safeCut(para)
				if err := d.sink.Value(connectors.Value{Data: para[:cut], Line: *line + 1}); err != nil {
					return true, err
				}
				para = para[:copy(para, para[cut:])]
			}
		}
	}
}
