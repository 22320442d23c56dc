package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"datakart/detectors"
	"datakart/rules"
)

func TestVMHWM(t *testing.T) {
	status := []byte("Name:\tdatakart\nVmPeak:\t 1264312 kB\nVmHWM:\t   27708 kB\nVmRSS:\t   20000 kB\n")
	if got := vmHWM(status); got != 27708 {
		t.Errorf("vmHWM = %d, want 27708", got)
	}
	if got := vmHWM([]byte("State:\tZ (zombie)\n")); got != 0 {
		t.Errorf("vmHWM of a zombie = %d, want 0", got)
	}
}

// The peak memory of a child is its own, not this process's: a child that
// allocates little reports far less than a test binary's size.
func TestTimeCommandMeasuresTheChild(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep")
	}
	big := make([]byte, 96<<20) // this process is large
	for i := range big {
		big[i] = 1
	}
	_, rss, err := timeCommand(nil, sleep, "0.1")
	if err != nil {
		t.Fatal(err)
	}
	if rss <= 0 || rss > 48<<20 {
		t.Errorf("peak RSS of sleep = %d bytes; want its own few MiB", rss)
	}
	_ = big[len(big)-1]
}

// The ratio to the baseline compares per core and in total: grep runs on
// one core, ripgrep on all. Over several rounds, each round gives a ratio
// and the median is said, with the range.
func TestBaselineRatio(t *testing.T) {
	gib := 1073.741824 // MB
	secs := func(mbs ...float64) []float64 {
		var s []float64
		for _, v := range mbs {
			s = append(s, gib/v)
		}
		return s
	}
	for _, tt := range []struct {
		tool                  string
		single, all, baseline []float64
		cores                 int
		want                  string
	}{
		{"grep", secs(280), secs(556), secs(12.4), 1, "datakart is 22.58x grep per core, and 44.84x in total (grep runs on one core)."},
		{"rg", secs(310), secs(560), secs(620), 2, "datakart is 1.00x rg per core, and 0.90x in total (rg runs on 2 cores)."},
		// Round 2 ran on a slow moment for all three: its ratios are
		// those of the other rounds, where the medians of the seconds
		// would mix the rounds.
		{"rg", secs(310, 150, 330), secs(560, 300, 600), secs(620, 310, 600), 2,
			"datakart is 1.00x rg per core (0.97–1.10x over 3 rounds), and 0.97x in total (0.90–1.00x) (rg runs on 2 cores)."},
	} {
		if got := baselineRatio(tt.tool, tt.single, tt.all, tt.baseline, tt.cores); got != tt.want {
			t.Errorf("got %q\nwant %q", got, tt.want)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		v    []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(tt.v); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

// datakart bench measures the built-in rules: a datakart.yaml where it
// runs, even a broken one, changes nothing.
func TestBenchIgnoresTheConfigWhereItRuns(t *testing.T) {
	bin := buildBinary(t)
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "datakart.yaml"), []byte("scan:\n  smaple: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "bench", "--size", "2MB", "--files", "2", "--runs", "2", "--dir", filepath.Join(t.TempDir(), "corpus"))
	cmd.Dir = work
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	for _, want := range []string{"datakart, 1 core", "baseline (no validation)", "over 2 rounds", "median of 2 rounds"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("bench output lacks %q:\n%s", want, out)
		}
	}
}

// The baseline's patterns are equivalent to the built-in detectors: each
// detector that looks at values has one that matches its valid values
// whole, in each layout the detector reads, and the patterns are POSIX
// EREs, as grep -E takes them.
func TestBenchPatternsCoverEveryDetector(t *testing.T) {
	examples := map[string][]string{
		detectors.CatFodselsnummer:  {"10048744732", "100487 44732", "10.04.87 44732", "10 04 87 447 32"},
		detectors.CatBankAccount:    {"86011117947", "8601.11.17947", "8601 11 17947"},
		detectors.CatIBAN:           {"NO9386011117947", "NO93 8601 1117 947", "DE89 3704 0044 0532 0130 00"},
		detectors.CatPaymentCard:    {"4242424242424242", "4242 4242 4242 4242", "3782 822463 10005"},
		detectors.CatEmail:          {"ola.nordmann@online.no", "ola%40online.no"},
		detectors.CatPhone:          {"91234567", "912 34 567", "22 33 44 55", "+4791234567", "+46 70 123 45 67", "004791234567"},
		detectors.CatIPAddress:      {"84.210.12.7", "2001:4860:4860::8888"},
		detectors.CatSEPersonnummer: {"880320-0016", "8803200016", "198803200016"},
		detectors.CatDKCPR:          {"211062-5629", "2110620629"},
		detectors.CatFIHETU:         {"131052-308T"},
		detectors.CatOrgNumber:      {"988077917", "988 077 917"},
	}
	var whole []*regexp.Regexp
	for _, p := range benchPatterns {
		re, err := regexp.CompilePOSIX("^(" + p + ")$")
		if err != nil {
			t.Fatalf("%s: not a POSIX ERE: %v", p, err)
		}
		whole = append(whole, re)
	}
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	engine := rs.Engine()
	for _, d := range detectors.Builtin() {
		id := d.Info().ID
		if d.Triggers() == 0 {
			continue // KID: asked by the others, no search of its own
		}
		if len(examples[id]) == 0 {
			t.Errorf("%s: no example; add one, and a pattern for it to benchPatterns", id)
		}
		for _, ex := range examples[id] {
			// After a context word: some layouts count only beside one
			// (a bare 11-digit account number).
			found := false
			engine.Scan([]byte(rs.ContextWords(id)[0]+" "+ex), func(m *detectors.Match) { found = found || m.Category == id })
			if !found {
				t.Errorf("%s: %q is not one (a bad example)", id, ex)
			}
			if !slices.ContainsFunc(whole, func(re *regexp.Regexp) bool { return re.MatchString(ex) }) {
				t.Errorf("%s: no baseline pattern matches %q whole", id, ex)
			}
		}
	}
}

// A size is positive and fits an int64 with room: "1e30GB", "Inf" and
// "NaN" once came out negative or undefined.
func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"256MB", 256 << 20}, {"1GiB", 1 << 30}, {"1.5k", 1536}, {"4096", 4096}, {" 2 gb ", 2 << 30}, {"4EiB", -1},
		{"0", -1}, {"-1MB", -1}, {"1e30GB", -1}, {"Inf", -1}, {"NaN", -1}, {"", -1}, {"MB", -1},
	} {
		got, err := parseSize(c.in)
		if c.want < 0 {
			if err == nil {
				t.Errorf("parseSize(%q) = %d, want an error", c.in, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}
