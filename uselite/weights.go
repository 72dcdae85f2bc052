package uselite

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// manifest is the part of a TensorFlow.js graph-model model.json we need.
// The graph topology is left out on purpose: the forward pass is written by
// hand below, so only the tensor inventory matters.
type manifest struct {
	WeightsManifest []struct {
		Paths   []string `json:"paths"`
		Weights []struct {
			Name         string          `json:"name"`
			Shape        []int           `json:"shape"`
			Dtype        string          `json:"dtype"`
			Quantization json.RawMessage `json:"quantization"`
		} `json:"weights"`
	} `json:"weightsManifest"`
}

// tensor is one float32 weight as stored in the shards, row-major.
type tensor struct {
	shape []int
	data  []float32
}

// readTensors reads every float32 tensor listed in dir/model.json from the
// shards beside it. int32 tensors are graph constants (shapes, axes) that the
// hand-written forward pass does not need, but their bytes are skipped so the
// offsets of later tensors stay right.
func readTensors(dir string) (map[string]tensor, error) {
	path := filepath.Join(dir, "model.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var man manifest
	if err := json.Unmarshal(raw, &man); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if len(man.WeightsManifest) == 0 {
		return nil, fmt.Errorf("%s: no weightsManifest", path)
	}

	tensors := make(map[string]tensor)
	for _, group := range man.WeightsManifest {
		r, closeAll, err := openShards(dir, group.Paths)
		if err != nil {
			return nil, err
		}
		for _, w := range group.Weights {
			if len(w.Quantization) > 0 && string(w.Quantization) != "null" {
				closeAll()
				return nil, fmt.Errorf("%s: tensor %s is quantized, which this loader does not support", path, w.Name)
			}
			n := 1
			for _, d := range w.Shape {
				n *= d
			}
			switch w.Dtype {
			case "float32":
				data, err := readFloat32s(r, n)
				if err != nil {
					closeAll()
					return nil, fmt.Errorf("read tensor %s from the shards of %s: %w", w.Name, path, err)
				}
				tensors[w.Name] = tensor{shape: w.Shape, data: data}
			case "int32":
				if _, err := io.CopyN(io.Discard, r, int64(n)*4); err != nil {
					closeAll()
					return nil, fmt.Errorf("skip tensor %s in the shards of %s: %w", w.Name, path, err)
				}
			default:
				closeAll()
				return nil, fmt.Errorf("%s: tensor %s has unsupported dtype %q", path, w.Name, w.Dtype)
			}
		}
		closeAll()
	}
	return tensors, nil
}

// openShards returns the concatenation of a weight group's shard files, which
// TensorFlow.js splits at arbitrary byte offsets (a tensor may straddle two).
func openShards(dir string, names []string) (io.Reader, func(), error) {
	var (
		files   []*os.File
		readers []io.Reader
	)
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, name := range names {
		p := filepath.Join(dir, name)
		f, err := os.Open(p)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("open weight shard: %w", err)
		}
		files = append(files, f)
		readers = append(readers, f)
	}
	return io.MultiReader(readers...), closeAll, nil
}

func readFloat32s(r io.Reader, n int) ([]float32, error) {
	buf := make([]byte, n*4)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[i*4:]))
	}
	return out, nil
}

// weightSet hands out named tensors and remembers the first problem, so the
// long list of lookups in Load reads as a list rather than as error plumbing.
type weightSet struct {
	dir     string
	tensors map[string]tensor
	err     error
}

// get returns the tensor name, checking its shape; a negative dimension
// matches any size, and leading 1s in the stored shape are ignored because the
// 1×1 convolution kernels are plain matrices.
func (ws *weightSet) get(name string, shape ...int) []float32 {
	if ws.err != nil {
		return nil
	}
	t, ok := ws.tensors[name]
	if !ok {
		ws.err = fmt.Errorf("%s: tensor %s is missing", filepath.Join(ws.dir, "model.json"), name)
		return nil
	}
	if !sameShape(t.shape, shape) {
		ws.err = fmt.Errorf("%s: tensor %s has shape %v, want %v", filepath.Join(ws.dir, "model.json"), name, t.shape, shape)
		return nil
	}
	return t.data
}

func sameShape(got, want []int) bool {
	for len(got) > len(want) && got[0] == 1 {
		got = got[1:]
	}
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if want[i] >= 0 && got[i] != want[i] {
			return false
		}
	}
	return true
}
