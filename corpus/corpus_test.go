package corpus

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultCorpus(t *testing.T) {
	arts, err := Load(Default(), "corpus")
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 5 {
		t.Fatalf("want the five shipped articles, got %d", len(arts))
	}
	dw := arts[2]
	if dw.ID != "002_013f2565afa33a21" || dw.Outlet != "DW" || dw.DateString() != "2022-09-16" || dw.Title != "Albania blames Iran for cyberattacks" {
		t.Errorf("DW article metadata: %+v", dw)
	}
	if arts[0].DateString() != "2022-09" {
		t.Errorf("an article known to the month shows the month only, got %q", arts[0].DateString())
	}
	// The text is the seed, unchanged (answers quote it).
	seed, err := os.ReadFile("../../shared/seeds/002_013f2565afa33a21.txt")
	if err == nil && string(seed) != dw.Text {
		t.Error("the article text differs from the seed it was copied from")
	}
}

func write(t *testing.T, content string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.md"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, filepath.Join(dir, "bad.md")
}

func TestLoaderNamesFileAndLine(t *testing.T) {
	body := "Albania cut ties with Iran after the July attack, officials said.\n"
	for _, tc := range []struct {
		name, content string
		line          int
		want          string
	}{
		{"no front matter", body, 1, "front matter missing"},
		{"never closed", "---\ntitle: x\n" + body, 1, "never closed"},
		{"unknown field", "---\ntitle: x\nsource: DW\n---\n" + body, 3, `unknown field "source"`},
		{"bad date", "---\ntitle: x\ndate: 2022-13-45\n---\n" + body, 3, `bad date "2022-13-45"`},
		{"empty body", "---\ntitle: x\noutlet: DW\n---\n\n  \n", 5, "article text is empty"},
		{"missing title", "---\noutlet: DW\n---\n" + body, 2, "title is missing"},
		{"bad yaml", "---\ntitle: [x\n---\n" + body, 2, "not valid YAML"},
		{"tags not a list", "---\ntitle: x\ntags: albania\n---\n" + body, 3, "tags must be a list"},
		{"bad url", "---\ntitle: x\nurl: example.com/a\n---\n" + body, 3, "must start with http"},
		{"no prose", "---\ntitle: x\n---\nSkip to content\nA heading\n", 4, "no prose"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, path := write(t, tc.content)
			_, err := LoadDir(dir)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("want a ParseError, got %v", err)
			}
			if pe.File != path || pe.Line != tc.line || !strings.Contains(pe.Msg, tc.want) {
				t.Errorf("got %q (line %d), want %s:%d containing %q", err, pe.Line, path, tc.line, tc.want)
			}
		})
	}
}

func TestLoaderReportsEveryBadFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.md"), []byte("no front matter"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.md"), []byte("---\ntitle: b\nwhen: now\n---\nText that ends a sentence here.\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not an article"), 0o644)
	_, err := LoadDir(dir)
	if err == nil || !strings.Contains(err.Error(), "a.md:1") || !strings.Contains(err.Error(), "b.md:3") {
		t.Fatalf("want both bad files named, got %v", err)
	}
	if _, err := LoadDir(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing corpus folder must be an error")
	}
}

// Web-page debris must never be citable.
func TestDebrisIsNotCitable(t *testing.T) {
	arts, err := Load(Default(), "corpus")
	if err != nil {
		t.Fatal(err)
	}
	debris := []string{"Skip to", "Skip next section", "Go to homepage", "Image:", "picture alliance", "Bakhmut",
		"DW's Top Story", "Copyright", "All Rights Reserved", "Elona Elezi Author", "Edited by", "ali khamenei edi rama",
		"Screenshot of the Prime Minister", "Photo:"}
	var citable strings.Builder
	for _, a := range arts {
		for _, s := range CitableSpans(a.Text) {
			citable.WriteString(a.Text[s.Start:s.End])
			citable.WriteString("\n")
		}
	}
	for _, d := range debris {
		if strings.Contains(citable.String(), d) {
			t.Errorf("debris %q is citable", d)
		}
	}
	// The caption's own words stay citable once the credit is cut.
	if !strings.Contains(citable.String(), "Maryam Rajavi, leader of the People's Mujahedeen of Iran") {
		t.Error("a caption's words (without its credit) should be citable")
	}
	// And real prose is there.
	if !strings.Contains(citable.String(), "On September 6, 2022, the Albanian government cut diplomatic ties") {
		t.Error("article prose missing from citable text")
	}
}
