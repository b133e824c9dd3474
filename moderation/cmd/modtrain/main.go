// Command modtrain trains the moderation classifier and writes the model
// file that package classifier embeds.
//
// Usage (from the module root):
//
//	go run ./moderation/cmd/modtrain -data ../shared/data/moderation -out moderation/classifier/weights/model.bin.gz
//	go run ./moderation/cmd/modtrain -input reviewed.tsv -out mymodel.bin.gz
//
// -data reads the labelled data sets described in
// moderation/classifier/TRAINING.md; -input reads a lang<TAB>label<TAB>text
// file (labels clean, complaint, spam, scam, toxic, hate, threat); both may
// be given. The synthetic examples in
// moderation/classifier/trainingdata/synthetic.tsv are added unless
// -synthetic is set to "". Training is deterministic: the same data, flags
// and seed give the same file, byte for byte.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cmkit/cmkit/moderation/classifier"
	"github.com/cmkit/cmkit/moderation/cmd/internal/devdata"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "modtrain:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("modtrain", flag.ContinueOnError)
	data := fs.String("data", "", "directory of the labelled data sets (../shared/data/moderation)")
	input := fs.String("input", "", "extra lang<TAB>label<TAB>text file(s), comma-separated")
	synthetic := fs.String("synthetic", "moderation/classifier/trainingdata/synthetic.tsv", "synthetic examples file; empty to skip")
	out := fs.String("out", "moderation/classifier/weights/model.bin.gz", "model file to write")
	bits := fs.Int("bits", 0, "log2 of the number of hash buckets (0: default)")
	epochs := fs.Int("epochs", 0, "training epochs (0: default)")
	seed := fs.Uint64("seed", 1, "shuffling seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rows, err := gather(*data, *input, *synthetic)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("no examples: give -data and/or -input")
	}
	printCounts(stdout, rows)
	opts := &classifier.TrainOptions{Bits: *bits, Epochs: *epochs, Seed: *seed,
		Progress: func(epoch int, loss [3]float64) {
			fmt.Fprintf(stdout, "epoch %2d  log loss  toxic %.4f  hate %.4f  spam %.4f\n", epoch, loss[0], loss[1], loss[2])
		}}
	m, err := classifier.Train(devdata.Examples(rows), opts)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d bytes, %d buckets\n", *out, buf.Len(), m.Buckets())
	return nil
}

// gather reads the data directory, the input files and the synthetic file.
func gather(data, input, synthetic string) ([]devdata.Row, error) {
	var rows []devdata.Row
	if data != "" {
		rs, err := devdata.Load(data)
		if err != nil {
			return nil, err
		}
		rows = append(rows, rs...)
	}
	var files []string
	if input != "" {
		files = strings.Split(input, ",")
	}
	if synthetic != "" {
		files = append(files, synthetic)
	}
	for _, f := range files {
		rs, err := devdata.ReadTSVFile(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		rows = append(rows, rs...)
	}
	return rows, nil
}

func printCounts(w io.Writer, rows []devdata.Row) {
	type key struct{ set, label string }
	counts := map[key]int{}
	var sets []string
	for _, r := range rows {
		k := key{r.Set, r.Label}
		if counts[k] == 0 {
			seen := false
			for _, s := range sets {
				seen = seen || s == r.Set
			}
			if !seen {
				sets = append(sets, r.Set)
			}
		}
		counts[k]++
	}
	fmt.Fprintf(w, "%-14s %7s", "set", "total")
	for _, l := range devdata.Labels {
		fmt.Fprintf(w, " %9s", l)
	}
	fmt.Fprintln(w)
	for _, s := range sets {
		total := 0
		for _, l := range devdata.Labels {
			total += counts[key{s, l}]
		}
		fmt.Fprintf(w, "%-14s %7d", s, total)
		for _, l := range devdata.Labels {
			fmt.Fprintf(w, " %9d", counts[key{s, l}])
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%-14s %7d\n", "all", len(rows))
}
