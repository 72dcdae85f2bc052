package uselite

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// benchPassage is a typical retrieval passage: 51 words, 86 tokens.
const benchPassage = "Respecting the 24-hour deadline set by the Albanian government, the 72 representatives of the state of Iran left Albania on the morning of September 8th. Meanwhile, the Government in Iran, through the Minister of Foreign Affairs, Nasser Ka’nani, considered the accusations baseless, emphasizing the role of third parties in Albania’s decision."

func BenchmarkEmbedPassage(b *testing.B) {
	m := loadModel(b)
	tokens := len(m.Tokenize(benchPassage))
	texts := []string{benchPassage}
	ctx := context.Background()
	b.ReportAllocs()
	cpu0 := processCPUTime()
	for b.Loop() {
		if _, err := m.Embed(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, cpu0, 1, tokens)
}

func BenchmarkEmbedBatch(b *testing.B) {
	m := loadModel(b)
	texts := make([]string, 64)
	tokens := 0
	for i := range texts {
		texts[i] = fmt.Sprintf("Update %d. %s", i+1, benchPassage)
		tokens += len(m.Tokenize(texts[i]))
	}
	ctx := context.Background()
	b.ReportAllocs()
	cpu0 := processCPUTime()
	for b.Loop() {
		if _, err := m.Embed(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, cpu0, len(texts), tokens)
}

// reportRates reports passages and tokens per second of wall-clock time and,
// where the platform can tell, per second of CPU time used by the process.
func reportRates(b *testing.B, cpu0 time.Duration, passages, tokens int) {
	n := float64(b.N)
	perSec := n / b.Elapsed().Seconds()
	b.ReportMetric(perSec*float64(passages), "passages/s")
	b.ReportMetric(perSec*float64(tokens), "tokens/s")
	if cpu := processCPUTime() - cpu0; cpu0 > 0 && cpu > 0 {
		b.ReportMetric(n*float64(passages)/cpu.Seconds(), "passages/cpu-s")
	}
}

func BenchmarkTokenize(b *testing.B) {
	m := loadModel(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchPassage)))
	for b.Loop() {
		m.Tokenize(benchPassage)
	}
}

func BenchmarkLoad(b *testing.B) {
	dir, err := FindWeights("")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(dir); err != nil {
			b.Fatal(err)
		}
	}
}
