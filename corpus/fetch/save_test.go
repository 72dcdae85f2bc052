package fetch

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Albania blames Iran for cyberattacks":                                        "albania-blames-iran-for-cyberattacks",
		"Shqipëria ndërpret marrëdhëniet me Iranin":                                   "shqiperia-nderpret-marredheniet-me-iranin",
		"Iran’s “cyber war” on Albania: what we know":                                 "irans-cyber-war-on-albania-what-we-know",
		"Albania cuts diplomatic ties with Iran following massive terror cyberattack": "albania-cuts-diplomatic-ties-with-iran-following-massive",
		"¿?": "",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
	if got := (&Page{Title: "¿?"}).FileName(); got != "undated-article.md" {
		t.Errorf("file name of an untitled, undated page: %q", got)
	}
}

func TestSaveWritesOnlyWhatChanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.md")
	if o, err := Save(path, []byte("one\n")); err != nil || o != Created {
		t.Fatalf("first save: %v %v", o, err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	if o, err := Save(path, []byte("one\n")); err != nil || o != Unchanged {
		t.Fatalf("same content: %v %v", o, err)
	}
	if st, _ := os.Stat(path); !st.ModTime().Equal(old) {
		t.Error("saving the same content touched the file")
	}
	if o, err := Save(path, []byte("two\n")); err != nil || o != Changed {
		t.Fatalf("new content: %v %v", o, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "two\n" {
		t.Errorf("file holds %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}
