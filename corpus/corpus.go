// Package corpus holds the articles the bot answers from and the loader that
// validates them. The default articles are embedded in the binary so the
// program works from any directory; LoadDir reads another folder.
//
// An article file is YAML front matter between "---" lines, then the article
// text exactly as published:
//
//	---
//	title: "Albania blames Iran for cyberattacks"
//	outlet: DW
//	author: "Elona Elezi, Niloofar Gholami"
//	date: "2022-09-16"      # YYYY-MM-DD, YYYY-MM or YYYY; empty when unknown
//	url: ""
//	tags: [albania, diplomatic-break]
//	---
//	Early last week, Albania expelled Iranian diplomats …
package corpus

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/incidentbot/incidentbot"
)

//go:embed articles/*.md
var embedded embed.FS

// Default returns the articles shipped with the program.
func Default() fs.FS {
	sub, err := fs.Sub(embedded, "articles")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder exists
	}
	return sub
}

// Ext is the extension of article files; other files in a corpus folder
// (READMEs, sources lists) are ignored.
const Ext = ".md"

// LoadDir loads every article file in dir.
func LoadDir(dir string) ([]*incidentbot.Article, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("corpus folder: %w", err)
	}
	arts, err := Load(os.DirFS(dir), dir)
	if err != nil {
		return nil, err
	}
	return arts, nil
}

// Load reads every article file at the top of fsys, sorted by name. prefix is
// joined to file names in errors so they point at a real path. All files are
// checked; the error lists every bad one, not just the first.
func Load(fsys fs.FS, prefix string) ([]*incidentbot.Article, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading corpus %s: %w", prefix, err)
	}
	var (
		articles []*incidentbot.Article
		errs     []error
	)
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), Ext) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		name := e.Name()
		display := name
		if prefix != "" {
			display = path.Join(prefix, name)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("reading %s: %w", display, err))
			continue
		}
		a, err := Parse(display, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		articles = append(articles, a)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(articles) == 0 {
		return nil, fmt.Errorf("corpus %s has no %s article files", prefix, Ext)
	}
	sort.Slice(articles, func(i, j int) bool { return articles[i].ID < articles[j].ID })
	return articles, nil
}
