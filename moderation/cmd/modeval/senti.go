package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cmkit/cmkit/moderation/cmd/internal/devdata"
	"github.com/cmkit/cmkit/moderation/sentiment"
)

// evalSentiment prints the Pearson correlation of sentiment.Score's
// Compound with the mean human rating of vader_sentiment_en.tsv (id,
// mean_rating, text), when the file is in dir.
func evalSentiment(dir string, w io.Writer) error {
	f, err := os.Open(filepath.Join(dir, "vader_sentiment_en.tsv"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	var xs, ys []float64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	agree, n := 0, 0
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "\t", 3)
		if len(parts) != 3 {
			continue
		}
		rating, err := strconv.ParseFloat(parts[1], 64)
		if err != nil {
			continue // header
		}
		c := sentiment.Score(devdata.Clean(parts[2]), "en").Compound
		xs = append(xs, c)
		ys = append(ys, rating)
		n++
		if (c >= 0.05 && rating > 0) || (c <= -0.05 && rating < 0) {
			agree++
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "sentiment (English, vader_sentiment_en.tsv, n=%d): Pearson r(Compound, mean rating) = %.3f; sign agreement %.1f%%\n",
		n, pearson(xs, ys), 100*float64(agree)/float64(max(n, 1)))
	return nil
}
