// Command modeval measures the moderation pipeline, the classifier alone and
// a plain word-list baseline on labelled data.
//
// Usage (from the module root):
//
//	go run ./moderation/cmd/modeval -data ../shared/data/moderation
//	go run ./moderation/cmd/modeval -input reviewed.tsv
//
// With -data, every number is held out: the rows are split into five folds
// by an FNV-1a hash of the text (of the template for HateCheck, whose cases
// are one template filled with several identities), and each fold is scored
// by a classifier trained on the four other folds of every data set plus the
// synthetic examples; the pipeline column runs
// moderation.NewDefaultPipeline with that fold's classifier. It also prints
// the Pearson correlation of sentiment.Score's Compound with the human
// ratings of vader_sentiment_en.tsv.
//
// With -input, a lang<TAB>label<TAB>text file is scored by the shipped
// (embedded) model and default pipeline: labels clean and complaint must be
// allowed, spam, scam, toxic, hate and threat must be flagged. The output
// adds a per-label table.
//
// For every set it prints n, precision, recall, F1, Matthews correlation
// (MCC; 0 when undefined) and the false-flag rate (false positives over
// actual negatives). Output is deterministic.
package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/cmkit/cmkit/moderation/classifier"
	"github.com/cmkit/cmkit/moderation/cmd/internal/devdata"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "modeval:", err)
		os.Exit(1)
	}
}

// options are the command-line settings.
type options struct {
	data, input, synthetic string
	folds                  int
	threshold              float64
	sweep                  bool
	errors                 string
	train                  classifier.TrainOptions
}

func run(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("modeval", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.data, "data", "", "directory of the labelled data sets (../shared/data/moderation)")
	fs.StringVar(&o.input, "input", "", "lang<TAB>label<TAB>text file to evaluate with the shipped model")
	fs.StringVar(&o.synthetic, "synthetic", "moderation/classifier/trainingdata/synthetic.tsv", "synthetic training examples added to every fold; empty to skip")
	fs.IntVar(&o.folds, "folds", 5, "cross-validation folds for -data")
	fs.Float64Var(&o.threshold, "threshold", 0.5, "classifier-alone flagging threshold")
	fs.IntVar(&o.train.Bits, "bits", 0, "classifier hash bits for the folds (0: default)")
	fs.IntVar(&o.train.Epochs, "epochs", 0, "classifier training epochs for the folds (0: default)")
	fs.Float64Var(&o.train.LearningRate, "lr", 0, "classifier learning rate for the folds (0: default)")
	fs.Func("nb", "naive-Bayes feature scaling per head, toxic,hate,spam, each 0 to 1 (default: the classifier's)", func(v string) error {
		nb, err := parseNB(v)
		o.train.NB = nb
		return err
	})
	fs.Float64Var(&o.train.NBSmoothing, "nb-smoothing", 0, "pseudo-count of the naive-Bayes log-count ratios (0: default)")
	fs.BoolVar(&o.sweep, "sweep", false, "also print the classifier's MCC and false-flag rate at thresholds 0.1 to 0.9")
	fs.StringVar(&o.errors, "errors", "", "also list the pipeline's held-out errors on this set (e.g. youtube_spam), grouped by the stage and rule that decided")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.data == "" && o.input == "" {
		return fmt.Errorf("give -data DIR and/or -input FILE.tsv")
	}
	if o.folds < 2 {
		return fmt.Errorf("-folds is %d, want at least 2", o.folds)
	}
	if o.data != "" {
		if err := evalDev(ctx, o, w); err != nil {
			return err
		}
	}
	if o.input != "" {
		if o.data != "" {
			fmt.Fprintln(w)
		}
		if err := evalInput(ctx, o, w); err != nil {
			return err
		}
	}
	return nil
}

// target is what a reported set counts as positive and which classifier
// head the classifier-alone column reads.
type target struct {
	name   string
	set    string
	actual func(devdata.Row) bool
	head   func(classifier.Scores) float64
}

func toxicHead(s classifier.Scores) float64 { return s.Toxic }
func hateHead(s classifier.Scores) float64  { return s.Hate }
func spamHead(s classifier.Scores) float64  { return s.Spam }
func anyHead(s classifier.Scores) float64   { return max(s.Toxic, s.Hate, s.Spam) }

var targets = []target{
	{"Davidson offensive-or-hate", "davidson_en", func(r devdata.Row) bool { return r.Toxic }, toxicHead},
	{"Davidson hate-only", "davidson_en", func(r devdata.Row) bool { return r.Hate }, hateHead},
	{"MLMA fr toxic", "mlma_fr", func(r devdata.Row) bool { return r.Toxic }, toxicHead},
	{"MLMA en toxic", "mlma_en", func(r devdata.Row) bool { return r.Toxic }, toxicHead},
	{"HateCheck en", "hatecheck_en", func(r devdata.Row) bool { return r.Hateful }, hateHead},
	{"HateCheck fr", "hatecheck_fr", func(r devdata.Row) bool { return r.Hateful }, hateHead},
	{"SMS spam", "sms_spam", func(r devdata.Row) bool { return r.Spam }, spamHead},
	{"YouTube spam", "youtube_spam", func(r devdata.Row) bool { return r.Spam }, spamHead},
}

// system is one column of the report: it decides whether a row is flagged.
type system struct {
	name string
	// flag is called with the row's index, the row and its held-out
	// classifier scores.
	flag func(ctx context.Context, i int, r devdata.Row, s classifier.Scores, t target) (bool, error)
}

func evalDev(ctx context.Context, o options, w io.Writer) error {
	rows, err := devdata.Load(o.data)
	if err != nil {
		return err
	}
	var extra []devdata.Row
	if o.synthetic != "" {
		if extra, err = devdata.ReadTSVFile(o.synthetic); err != nil {
			return err
		}
	}
	words, err := loadWordList()
	if err != nil {
		return err
	}
	// Held-out classifier scores and a per-fold pipeline.
	scores := make([]classifier.Scores, len(rows))
	fold := make([]int, len(rows))
	for i, r := range rows {
		fold[i] = devdata.Fold(r, o.folds)
	}
	pipes := make([]flagger, o.folds)
	for f := range o.folds {
		var train []devdata.Row
		for i, r := range rows {
			if fold[i] != f {
				train = append(train, r)
			}
		}
		train = append(train, extra...)
		m, err := classifier.Train(devdata.Examples(train), &o.train)
		if err != nil {
			return err
		}
		for i, r := range rows {
			if fold[i] == f {
				scores[i] = m.Predict(r.Text, r.Lang)
			}
		}
		if pipes[f], err = newPipelineFlagger(m); err != nil {
			return err
		}
	}
	systems := []system{
		{name: "pipeline", flag: func(ctx context.Context, i int, r devdata.Row, _ classifier.Scores, _ target) (bool, error) {
			f, _, err := pipes[fold[i]](ctx, r.Text, r.Lang)
			return f, err
		}},
		{name: "classifier", flag: func(_ context.Context, _ int, _ devdata.Row, s classifier.Scores, t target) (bool, error) {
			return t.head(s) >= o.threshold, nil
		}},
		{name: "wordlist", flag: func(_ context.Context, _ int, r devdata.Row, _ classifier.Scores, _ target) (bool, error) {
			return words.match(r.Text), nil
		}},
	}
	fmt.Fprintf(w, "modeval: %s (development split)\n", filepath.Base(o.data))
	fmt.Fprintf(w, "held-out: %d-fold cross-validation; folds by FNV-1a hash of the text (HateCheck: of the template);\n", o.folds)
	fmt.Fprintf(w, "  each fold is scored by a classifier trained on the other %d folds of all sets + %d synthetic examples.\n", o.folds-1, len(extra))
	fmt.Fprintln(w, "columns: pipeline = moderation.NewDefaultPipeline with the fold's classifier, flagged = Action != Allow;")
	fmt.Fprintf(w, "  classifier = the set's head (toxic, hate or spam) >= %.2f; wordlist = LDNOOBW en+fr, whole words.\n", o.threshold)
	fmt.Fprintln(w)
	header(w)
	for _, t := range targets {
		for si, sys := range systems {
			var c confusion
			for i, r := range rows {
				if r.Set != t.set {
					continue
				}
				got, err := sys.flag(ctx, i, r, scores[i], t)
				if err != nil {
					return err
				}
				c.add(t.actual(r), got)
			}
			name := t.name
			if si > 0 {
				name = ""
			}
			line(w, name, sys.name, c)
		}
	}
	if o.sweep {
		sweep(w, rows, scores)
	}
	if o.errors != "" {
		if err := listErrors(ctx, w, o.errors, rows, fold, pipes); err != nil {
			return err
		}
	}
	return evalSentiment(o.data, w)
}

// sweep prints, per set, the classifier's MCC and false-flag rate at
// several thresholds, to choose one for a pipeline.
func sweep(w io.Writer, rows []devdata.Row, scores []classifier.Scores) {
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-27s", "classifier MCC / f-flag at")
	for th := 1; th <= 9; th++ {
		fmt.Fprintf(w, " %11.1f", float64(th)/10)
	}
	fmt.Fprintln(w)
	for _, t := range targets {
		fmt.Fprintf(w, "%-27s", t.name)
		for th := 1; th <= 9; th++ {
			var c confusion
			for i, r := range rows {
				if r.Set == t.set {
					c.add(t.actual(r), t.head(scores[i]) >= float64(th)/10)
				}
			}
			fmt.Fprintf(w, " %5.3f/%4.1f%%", c.mcc(), 100*c.falseFlagRate())
		}
		fmt.Fprintln(w)
	}
}

func header(w io.Writer) {
	fmt.Fprintf(w, "%-27s %-10s %6s %7s %7s %7s %7s %7s\n", "set", "system", "n", "prec", "recall", "F1", "MCC", "f-flag")
}

func line(w io.Writer, set, sys string, c confusion) {
	fmt.Fprintf(w, "%-27s %-10s %6d %7.3f %7.3f %7.3f %7.3f %6.1f%%\n",
		set, sys, c.n(), c.precision(), c.recall(), c.f1(), c.mcc(), 100*c.falseFlagRate())
}

func evalInput(ctx context.Context, o options, w io.Writer) error {
	rows, err := devdata.ReadTSVFile(o.input)
	if err != nil {
		return err
	}
	words, err := loadWordList()
	if err != nil {
		return err
	}
	m := classifier.Default()
	pipe, err := newPipelineFlagger(nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "modeval: %s (%d rows) scored by the shipped model; flagged must be spam, scam, toxic, hate, threat\n", filepath.Base(o.input), len(rows))
	fmt.Fprintf(w, "columns: pipeline = moderation.NewDefaultPipeline(nil), flagged = Action != Allow; classifier = any head >= %.2f; wordlist = LDNOOBW en+fr\n\n", o.threshold)
	type perLabel struct{ n, flagged [3]int }
	labels := map[string]*perLabel{}
	var conf [3]confusion
	for _, r := range rows {
		s := m.Predict(r.Text, r.Lang)
		p, _, err := pipe(ctx, r.Text, r.Lang)
		if err != nil {
			return err
		}
		flags := [3]bool{p, anyHead(s) >= o.threshold, words.match(r.Text)}
		pl := labels[r.Label]
		if pl == nil {
			pl = &perLabel{}
			labels[r.Label] = pl
		}
		for k, f := range flags {
			conf[k].add(devdata.Flagged(r.Label), f)
			pl.n[k]++
			if f {
				pl.flagged[k]++
			}
		}
	}
	header(w)
	for k, name := range []string{"pipeline", "classifier", "wordlist"} {
		set := ""
		if k == 0 {
			set = filepath.Base(o.input)
		}
		line(w, set, name, conf[k])
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-10s %6s %6s | %-16s | %-16s | %-16s\n", "label", "must", "n", "pipeline flagged", "classifier", "wordlist")
	for _, l := range devdata.Labels {
		pl := labels[l]
		if pl == nil {
			continue
		}
		must := "allow"
		if devdata.Flagged(l) {
			must = "flag"
		}
		fmt.Fprintf(w, "%-10s %6s %6d", l, must, pl.n[0])
		for k := range 3 {
			fmt.Fprintf(w, " | %6d %9s", pl.flagged[k], fmt.Sprintf("(%.1f%%)", 100*float64(pl.flagged[k])/float64(pl.n[k])))
		}
		fmt.Fprintln(w)
	}
	return nil
}

//go:embed testdata/ldnoobw_en.txt testdata/ldnoobw_fr.txt
var wordlists embed.FS

// wordList is a whole-word matcher over a plain word list.
type wordList struct {
	entries []string // " word " or " two words ", normalised
}

func loadWordList() (*wordList, error) {
	var wl wordList
	for _, f := range []string{"ldnoobw_en.txt", "ldnoobw_fr.txt"} {
		b, err := wordlists.ReadFile("testdata/" + f)
		if err != nil {
			return nil, err
		}
		for _, l := range strings.Split(string(b), "\n") {
			if e := wordsOf(l); e != "" {
				wl.entries = append(wl.entries, " "+e+" ")
			}
		}
	}
	return &wl, nil
}

// wordsOf lower-cases s and keeps its words (letters and digits) separated
// by single spaces.
func wordsOf(s string) string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 0x7f && unicode.IsLetter(r))
	})
	return strings.Join(f, " ")
}

func (wl *wordList) match(text string) bool {
	t := " " + wordsOf(text) + " "
	for _, e := range wl.entries {
		if strings.Contains(t, e) {
			return true
		}
	}
	return false
}

// parseNB parses a -nb flag: three comma-separated numbers.
func parseNB(v string) (*[3]float64, error) {
	parts := strings.Split(v, ",")
	if len(parts) != 3 {
		return nil, fmt.Errorf("want three comma-separated values (toxic,hate,spam), got %q", v)
	}
	var nb [3]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, err
		}
		nb[i] = f
	}
	return &nb, nil
}
