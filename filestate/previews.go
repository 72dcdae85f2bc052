package filestate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/google/renameio/v2"

	"github.com/incidentbot/incidentbot"
)

// PreviewDir holds one file per refresh preview waiting for a click.
const PreviewDir = "previews"

// claimedInfix marks a preview file renamed by the TakePreview that won it.
const claimedInfix = ".taken-"

// previewID is what a preview id may be. It names a file and arrives in a
// button's custom_id, so nothing that could leave the folder.
var previewID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)

type previewFile struct {
	Expires time.Time                `json:"expires"`
	Plan    *incidentbot.RefreshPlan `json:"plan"`
}

func (s *State) previewDir() string { return filepath.Join(s.dir, PreviewDir) }

// SavePreview keeps plan for ttl, replacing one with the same id, and
// clears the expired ones.
func (s *State) SavePreview(ctx context.Context, plan *incidentbot.RefreshPlan, ttl time.Duration) error {
	if plan == nil || !previewID.MatchString(plan.ID) {
		return fmt.Errorf("filestate: a preview needs an id of letters, digits, - and _ (got %q)", planID(plan))
	}
	if ttl <= 0 {
		return fmt.Errorf("filestate: preview %s: the time to keep it must be positive, got %v", plan.ID, ttl)
	}
	data, err := json.Marshal(previewFile{Expires: time.Now().Add(ttl).UTC(), Plan: plan})
	if err != nil {
		return fmt.Errorf("encoding preview %s: %w", plan.ID, err)
	}
	dir := s.previewDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	path := filepath.Join(dir, plan.ID+".json")
	if err := renameio.WriteFile(path, data, 0o644, renameio.WithTempDir(dir)); err != nil {
		return fmt.Errorf("saving preview %s: %w", plan.ID, err)
	}
	s.sweepPreviews()
	return nil
}

func planID(p *incidentbot.RefreshPlan) string {
	if p == nil {
		return ""
	}
	return p.ID
}

// TakePreview returns the plan saved as id and forgets it; nil when it is
// unknown, taken or expired. Whoever renames the file first has it: of two
// clicks on two processes, one gets the plan and the other nil.
func (s *State) TakePreview(ctx context.Context, id string) (*incidentbot.RefreshPlan, error) {
	if !previewID.MatchString(id) {
		return nil, nil // no preview was ever saved under such a name
	}
	pf, err := s.claimPreview(filepath.Join(s.previewDir(), id+".json"))
	if err != nil || pf == nil {
		return nil, err
	}
	if time.Now().After(pf.Expires) {
		return nil, nil
	}
	return pf.Plan, nil
}

// claimPreview renames the preview at path to a name of this call's own,
// reads and removes it; nil when another call renamed it first (or there
// was none).
func (s *State) claimPreview(path string) (*previewFile, error) {
	var nonce [8]byte
	rand.Read(nonce[:])
	claimed := strings.TrimSuffix(path, ".json") + claimedInfix + hex.EncodeToString(nonce[:])
	if err := os.Rename(path, claimed); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("taking preview %s: %w", filepath.Base(path), err)
	}
	data, err := os.ReadFile(claimed)
	os.Remove(claimed)
	if err != nil {
		return nil, fmt.Errorf("reading preview %s: %w", filepath.Base(path), err)
	}
	var pf previewFile
	if err := json.Unmarshal(data, &pf); err != nil {
		return nil, fmt.Errorf("preview %s is damaged: %w", path, err)
	}
	return &pf, nil
}

// sweepPreviews removes the expired previews. Best effort: a preview left
// behind is only a small file, and TakePreview checks expiry itself.
func (s *State) sweepPreviews() {
	names, _ := filepath.Glob(filepath.Join(s.previewDir(), "*.json"))
	now := time.Now()
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		var pf previewFile
		if json.Unmarshal(data, &pf) == nil && now.After(pf.Expires) {
			// Claimed like a click would, so a click at this moment gets
			// nil rather than a half-deleted file.
			s.claimPreview(name)
		}
	}
}
