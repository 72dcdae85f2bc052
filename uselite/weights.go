package uselite

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
)

// littleEndian reports whether floats are stored here as in the shards.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// Load reads the model from dir, or from wherever FindWeights(dir) finds it,
// and packs its matrices for the forward pass. It takes a few hundredths
// of a second.
//
// Where the weights live, and why: the 20 MB of packed matrices are
// written once, into memory outside the Go heap (frozen_unix.go), and
// then made read-only. On the heap they were live data the collector
// lets the heap grow by as much again before it collects, so a process
// that does little else had some 20 MB of garbage room for them. The
// 8 MB token embedding table is not loaded at all: each token's row is
// read from its shard file when a text is encoded (a read of 1 KB from the
// page cache, 0.6 µs: some 10 µs for a question, against 3 ms for the
// encoding), where holding the table, on the heap or mapped (the kernel
// maps a file 64 KB around each page read), made all of it resident after
// a few hundred questions. Each matrix is read through
// one reused buffer rather than whole: reading every tensor first, then
// packing, had 28 MB of unpacked copies on the heap at every start.
func Load(dir string) (*Model, error) {
	dir, err := FindWeights(dir)
	if err != nil {
		return nil, err
	}
	ws, err := openWeights(dir)
	if err != nil {
		return nil, fmt.Errorf("uselite: load weights: %w", err)
	}
	// Whatever Load returns, the shard files are closed but for those the
	// embeddings are read from, which the model keeps (see below).
	defer ws.close()
	tok, err := loadTokenizer(dir)
	if err != nil {
		return nil, fmt.Errorf("uselite: load vocabulary: %w", err)
	}

	const (
		apply  = "module_apply_default/Encoder_en/KonaTransformer/Encode/"
		module = "module/Encoder_en/KonaTransformer/Encode/"
	)
	m := &Model{tok: tok}
	m.embeddings = ws.table("module/Embeddings_en", embedDim)
	inv := ws.vec(apply+"TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1", timingDim)
	for i := range m.layers {
		l := &m.layers[i]
		l.dim = embedDim
		if i > 0 {
			l.dim = hiddenDim
		}
		d := l.dim
		tl := fmt.Sprintf("Layer_%d/TransformerLayer/", i)
		mha := tl + "MultiheadAttention/"
		l.ln1Scale = ws.vec(apply+tl+"layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", d)
		l.ln1Bias = ws.vec(apply+tl+"layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", d)
		ws.matrix(&l.qkv, module+mha+"qkv_transform_single/kernel/part_0", d, 3*d)
		l.qkvB = ws.vec(apply+mha+"qkv_transform_single/bias/ConcatPartitions/concat", 3*d)
		ws.matrix(&l.out, module+mha+"output_transform_single/kernel/part_0", d, hiddenDim)
		l.outB = ws.vec(apply+mha+"output_transform_single/bias/ConcatPartitions/concat", hiddenDim)
		if i == 0 {
			ws.matrix(&l.res, apply+tl+"dense/kernel/ConcatPartitions/concat", d, hiddenDim)
			l.resB = ws.vec(apply+tl+"dense/bias/ConcatPartitions/concat", hiddenDim)
		}
		l.ln2Scale = ws.vec(apply+tl+"FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", hiddenDim)
		l.ln2Bias = ws.vec(apply+tl+"FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", hiddenDim)
		ws.matrix(&l.ffn1, apply+"TransformerStack/"+tl+"FFN/conv1/Tensordot/Reshape_1", hiddenDim, ffnDim)
		l.ffn1B = ws.vec(apply+tl+"FFN/conv1/bias/ConcatPartitions/concat", ffnDim)
		ws.matrix(&l.ffn2, apply+"TransformerStack/"+tl+"FFN/conv2/Tensordot/Reshape_1", ffnDim, hiddenDim)
		l.ffn2B = ws.vec(apply+tl+"FFN/conv2/bias/ConcatPartitions/concat", hiddenDim)
		if s := ws.vec(apply + "TransformerStack/" + mha + "mul/y"); len(s) == 1 {
			l.attentionScale = s[0]
		}
	}
	ws.matrix(&m.outW, "module/Encoder_en/hidden_layers/tanh_layer_0/weights", hiddenDim, hiddenDim)
	m.outB = ws.vec("module/Encoder_en/hidden_layers/tanh_layer_0/bias", hiddenDim)
	ws.packMatrices()
	if ws.err != nil {
		return nil, fmt.Errorf("uselite: load weights: %w", ws.err)
	}
	if rows := m.embeddings.rows; rows < len(tok.scores) {
		return nil, fmt.Errorf("uselite: %s: %d token embeddings for a vocabulary of %d", ws.manifest, rows, len(tok.scores))
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
	m.scratch.New = func() any { return newScratch(0) }
	// The memory outside the heap and the embeddings' files go back when
	// the model is collected (tests and benchmarks load many); the
	// cleanup holds what it releases, not the model.
	runtime.AddCleanup(m, func(release []func()) {
		for _, f := range release {
			f()
		}
	}, ws.keep())
	return m, nil
}

// manifest is the part of a TensorFlow.js graph-model model.json we need.
// The graph topology is left out on purpose: the forward pass is written by
// hand (model.go), so only the tensor inventory matters.
type manifest struct {
	WeightsManifest []struct {
		Paths   []string         `json:"paths"`
		Weights []manifestWeight `json:"weights"`
	} `json:"weightsManifest"`
}

type manifestWeight struct {
	Name         string          `json:"name"`
	Shape        []int           `json:"shape"`
	Dtype        string          `json:"dtype"`
	Quantization json.RawMessage `json:"quantization"`
}

// tensor is where one float32 weight is stored: the byte offset of its
// row-major data in the concatenated shards of its group.
type tensor struct {
	shape []int
	size  int // elements
	group int
	off   int64
}

// weightSet hands out named tensors and remembers the first problem, so the
// long list of lookups in Load reads as a list rather than as error plumbing.
type weightSet struct {
	manifest string // model.json's path, which errors name
	tensors  map[string]tensor
	shards   []*shardGroup
	// matrices are the packed matrices asked for, filled in by
	// packMatrices once their total size is known.
	matrices []matrixRequest
	// release gives back the memory outside the heap, the packed
	// matrices'.
	release func()
	// kept is the group the embeddings are read from, which stays open
	// once handed over to the model (keep).
	kept       *shardGroup
	handedOver bool
	err        error
}

type matrixRequest struct {
	dst  *panels
	name string
	k, n int
}

// openWeights reads dir/model.json and opens the shard files beside it,
// checking that they hold every tensor it lists. int32 tensors are graph
// constants (shapes, axes) that the hand-written forward pass does not
// need, but their bytes count for the offsets of later tensors.
func openWeights(dir string) (*weightSet, error) {
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
	ws := &weightSet{manifest: path, tensors: map[string]tensor{}}
	for g, group := range man.WeightsManifest {
		if err := ws.addGroup(dir, g, group.Paths, group.Weights); err != nil {
			ws.close()
			return nil, err
		}
	}
	return ws, nil
}

// addGroup lists group g's tensors and opens its shard files.
func (ws *weightSet) addGroup(dir string, g int, paths []string, weights []manifestWeight) error {
	var off int64
	for _, w := range weights {
		if len(w.Quantization) > 0 && string(w.Quantization) != "null" {
			return fmt.Errorf("%s: tensor %s is quantized, which this loader does not support", ws.manifest, w.Name)
		}
		n := 1
		for _, d := range w.Shape {
			n *= d
		}
		switch w.Dtype {
		case "float32":
			ws.tensors[w.Name] = tensor{shape: w.Shape, size: n, group: g, off: off}
		case "int32":
		default:
			return fmt.Errorf("%s: tensor %s has unsupported dtype %q", ws.manifest, w.Name, w.Dtype)
		}
		off += int64(n) * 4
	}
	s, err := openShards(dir, paths)
	if err != nil {
		return err
	}
	ws.shards = append(ws.shards, s)
	if s.size < off {
		return fmt.Errorf("the shards of %s (%s) hold %d bytes, and its tensors need %d: a shard is truncated (\"make model\" reinstalls the weights)", ws.manifest, s.names(), s.size, off)
	}
	return nil
}

// lookup returns the tensor name, checking its shape; a negative dimension
// matches any size, and leading 1s in the stored shape are ignored because the
// 1×1 convolution kernels are plain matrices.
func (ws *weightSet) lookup(name string, shape ...int) (tensor, bool) {
	if ws.err != nil {
		return tensor{}, false
	}
	t, ok := ws.tensors[name]
	if !ok {
		ws.err = fmt.Errorf("%s: tensor %s is missing", ws.manifest, name)
		return tensor{}, false
	}
	if !sameShape(t.shape, shape) {
		ws.err = fmt.Errorf("%s: tensor %s has shape %v, want %v", ws.manifest, name, t.shape, shape)
		return tensor{}, false
	}
	return t, true
}

// read reads tensor t into dst (t.size floats).
func (ws *weightSet) read(name string, t tensor, dst []float32) {
	if err := ws.shards[t.group].readFloats(dst, t.off); err != nil {
		ws.err = fmt.Errorf("read tensor %s from the shards of %s: %w", name, ws.manifest, err)
	}
}

// vec returns a small tensor (a bias, a scale) on the heap.
func (ws *weightSet) vec(name string, shape ...int) []float32 {
	t, ok := ws.lookup(name, shape...)
	if !ok {
		return nil
	}
	out := make([]float32, t.size)
	ws.read(name, t, out)
	return out
}

// matrix asks for the k × n tensor name packed for gemm into *dst, which
// packMatrices fills.
func (ws *weightSet) matrix(dst *panels, name string, k, n int) {
	if _, ok := ws.lookup(name, k, n); ok {
		ws.matrices = append(ws.matrices, matrixRequest{dst: dst, name: name, k: k, n: n})
	}
}

// packMatrices packs every matrix asked for into one read-only block
// outside the heap, reading each through the same buffer.
func (ws *weightSet) packMatrices() {
	if ws.err != nil {
		return
	}
	total, largest := 0, 0
	for _, r := range ws.matrices {
		total += panelsLen(r.k, r.n)
		largest = max(largest, r.k*r.n)
	}
	block, err := newFrozen(total)
	if err != nil {
		ws.err = fmt.Errorf("memory for the packed weights of %s: %w", ws.manifest, err)
		return
	}
	ws.release = block.release
	buf := make([]float32, largest)
	data := block.data
	for _, r := range ws.matrices {
		t := ws.tensors[r.name]
		src := buf[:t.size]
		if ws.read(r.name, t, src); ws.err != nil {
			return
		}
		n := panelsLen(r.k, r.n)
		*r.dst = packPanels(data[:n:n], src, r.k, r.n, r.n, 1)
		data = data[n:]
	}
	if err := block.freeze(); err != nil {
		ws.err = fmt.Errorf("making the packed weights of %s read-only: %w", ws.manifest, err)
	}
}

// table returns the [rows × cols] tensor name, to be read a row at a time
// from its shard files, which stay open.
func (ws *weightSet) table(name string, cols int) *table {
	t, ok := ws.lookup(name, -1, cols)
	if !ok {
		return nil
	}
	ws.kept = ws.shards[t.group]
	return &table{g: ws.kept, off: t.off, rows: t.size / cols, cols: cols}
}

// keep hands what the loaded model holds outside the heap over to it:
// the functions that release it (the packed matrices' memory, the
// embeddings' shard files).
func (ws *weightSet) keep() []func() {
	ws.handedOver = true
	var out []func()
	if ws.release != nil {
		out = append(out, ws.release)
	}
	if g := ws.kept; g != nil {
		out = append(out, func() { g.close() })
	}
	return out
}

// close closes the shard files but those handed over to the model, and
// after a Load that failed gives back everything.
func (ws *weightSet) close() {
	for _, g := range ws.shards {
		if !ws.handedOver || g != ws.kept {
			g.close()
		}
	}
	if !ws.handedOver && ws.release != nil {
		ws.release()
	}
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
