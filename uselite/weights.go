package uselite

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"unsafe"
)

// littleEndian reports whether floats are stored here as in the shards.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// Load reads the model from dir, or from wherever FindWeights(dir) finds it,
// and packs its matrices for the forward pass. It takes about 0.1 s and
// holds about 30 MB.
func Load(dir string) (*Model, error) {
	dir, err := FindWeights(dir)
	if err != nil {
		return nil, err
	}
	tensors, err := readTensors(dir)
	if err != nil {
		return nil, fmt.Errorf("uselite: load weights: %w", err)
	}
	tok, err := loadTokenizer(dir)
	if err != nil {
		return nil, fmt.Errorf("uselite: load vocabulary: %w", err)
	}

	const (
		apply  = "module_apply_default/Encoder_en/KonaTransformer/Encode/"
		module = "module/Encoder_en/KonaTransformer/Encode/"
	)
	ws := &weightSet{dir: dir, tensors: tensors}
	m := &Model{tok: tok}
	m.embeddings = ws.get("module/Embeddings_en", -1, embedDim)
	inv := ws.get(apply+"TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1", timingDim)
	for i := range m.layers {
		l := &m.layers[i]
		l.dim = embedDim
		if i > 0 {
			l.dim = hiddenDim
		}
		d := l.dim
		tl := fmt.Sprintf("Layer_%d/TransformerLayer/", i)
		mha := tl + "MultiheadAttention/"
		l.ln1Scale = ws.get(apply+tl+"layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", d)
		l.ln1Bias = ws.get(apply+tl+"layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", d)
		l.qkv = pack(ws.get(module+mha+"qkv_transform_single/kernel/part_0", d, 3*d), d, 3*d)
		l.qkvB = ws.get(apply+mha+"qkv_transform_single/bias/ConcatPartitions/concat", 3*d)
		l.out = pack(ws.get(module+mha+"output_transform_single/kernel/part_0", d, hiddenDim), d, hiddenDim)
		l.outB = ws.get(apply+mha+"output_transform_single/bias/ConcatPartitions/concat", hiddenDim)
		if i == 0 {
			l.res = pack(ws.get(apply+tl+"dense/kernel/ConcatPartitions/concat", d, hiddenDim), d, hiddenDim)
			l.resB = ws.get(apply+tl+"dense/bias/ConcatPartitions/concat", hiddenDim)
		}
		l.ln2Scale = ws.get(apply+tl+"FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", hiddenDim)
		l.ln2Bias = ws.get(apply+tl+"FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", hiddenDim)
		l.ffn1 = pack(ws.get(apply+"TransformerStack/"+tl+"FFN/conv1/Tensordot/Reshape_1", hiddenDim, ffnDim), hiddenDim, ffnDim)
		l.ffn1B = ws.get(apply+tl+"FFN/conv1/bias/ConcatPartitions/concat", ffnDim)
		l.ffn2 = pack(ws.get(apply+"TransformerStack/"+tl+"FFN/conv2/Tensordot/Reshape_1", ffnDim, hiddenDim), ffnDim, hiddenDim)
		l.ffn2B = ws.get(apply+tl+"FFN/conv2/bias/ConcatPartitions/concat", hiddenDim)
		if s := ws.get(apply + "TransformerStack/" + mha + "mul/y"); len(s) == 1 {
			l.attentionScale = s[0]
		}
	}
	m.outW = pack(ws.get("module/Encoder_en/hidden_layers/tanh_layer_0/weights", hiddenDim, hiddenDim), hiddenDim, hiddenDim)
	m.outB = ws.get("module/Encoder_en/hidden_layers/tanh_layer_0/bias", hiddenDim)
	if ws.err != nil {
		return nil, fmt.Errorf("uselite: load weights: %w", ws.err)
	}
	if rows := len(m.embeddings) / embedDim; rows < len(tok.scores) {
		return nil, fmt.Errorf("uselite: %s: %d token embeddings for a vocabulary of %d", filepath.Join(dir, "model.json"), rows, len(tok.scores))
	}

	m.timing = make([]float32, maxTokens*embedDim)
	for p := range maxTokens {
		row := m.timing[p*embedDim : (p+1)*embedDim]
		for j, f := range inv {
			// The reference multiplies in float32 before taking the sine.
			angle := float64(float32(p) * f)
			row[j] = float32(math.Sin(angle))
			row[timingDim+j] = float32(math.Cos(angle))
		}
	}
	m.scratch.New = func() any { return newScratch() }
	return m, nil
}

// pack returns the row-major k × n matrix w packed for gemm. A nil w (a
// tensor the weightSet already reported missing) packs to nothing.
func pack(w []float32, k, n int) panels {
	if w == nil {
		return panels{}
	}
	return packPanels(make([]float32, panelsLen(k, n)), w, k, n, n, 1)
}

// manifest is the part of a TensorFlow.js graph-model model.json we need.
// The graph topology is left out on purpose: the forward pass is written by
// hand (model.go), so only the tensor inventory matters.
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
	if littleEndian && n > 0 {
		// Read straight into the floats: a byte buffer beside them was
		// 27 MB of garbage at every start, which the collector lets the
		// heap grow by.
		out := make([]float32, n)
		if _, err := io.ReadFull(r, unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), n*4)); err != nil {
			return nil, err
		}
		return out, nil
	}
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
