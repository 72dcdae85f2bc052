// Package findup finds installed model files the way the program's
// commands and tests need: in a directory given, in one an environment
// variable names, or in a project-relative folder under the working
// directory, the executable's, or any of their parents. The parent walk
// lets tests (which run inside a package directory) and binaries started
// from anywhere in the tree find `make model`'s output without
// configuration.
package findup

import (
	"os"
	"path/filepath"
)

// Dir returns the first directory holding file, trying dir if non-empty,
// then $env, then subdir under the working directory and each of its
// parents, then under the executable's directory and its parents. It also
// returns every directory tried, in order, for the error a caller gives
// when nothing is found (found is then "").
func Dir(dir, env, subdir, file string) (found string, tried []string) {
	seen := make(map[string]bool)
	try := func(d string) bool {
		if d == "" {
			return false
		}
		if abs, err := filepath.Abs(d); err == nil {
			d = abs
		}
		if seen[d] {
			return false
		}
		seen[d] = true
		tried = append(tried, d)
		fi, err := os.Stat(filepath.Join(d, file))
		if err == nil && fi.Mode().IsRegular() {
			found = d
			return true
		}
		return false
	}
	if try(dir) || try(os.Getenv(env)) {
		return found, tried
	}
	var roots []string
	if wd, err := os.Getwd(); err == nil {
		roots = append(roots, wd)
	}
	if exe, err := os.Executable(); err == nil {
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			exe = resolved
		}
		roots = append(roots, filepath.Dir(exe))
	}
	for _, root := range roots {
		for d := root; ; d = filepath.Dir(d) {
			if try(filepath.Join(d, subdir)) {
				return found, tried
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", tried
}
