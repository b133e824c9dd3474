package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunInput(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-input", "testdata/tiny.tsv"}, &a))
	require.NoError(t, run(context.Background(), []string{"-input", "testdata/tiny.tsv"}, &b))
	require.Equal(t, a.String(), b.String(), "output must be deterministic")
	out := a.String()
	for _, want := range []string{"tiny.tsv (9 rows)", "pipeline", "classifier", "wordlist", "complaint", "threat", "MCC"} {
		require.Contains(t, out, want)
	}
	// Every label appears in the per-label table with its count.
	counts := map[string]string{"clean": "2", "complaint": "2", "spam": "1", "scam": "1", "toxic": "1", "hate": "1", "threat": "1"}
	for l, n := range counts {
		found := false
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) > 3 && f[0] == l {
				require.Equal(t, n, f[2], line)
				found = true
			}
		}
		require.True(t, found, "label %s missing:\n%s", l, out)
	}
}

func TestRunData(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644))
	}
	var dav, sms strings.Builder
	dav.WriteString(",count,hate_speech,offensive_language,neither,class,tweet\n")
	sms.WriteString("label\ttext\n")
	for i := range 20 {
		n := string(rune('a' + i))
		dav.WriteString("0,3,0,3,0,1,you stupid bitch " + n + "\n0,3,0,0,3,2,nice weather today " + n + "\n")
		sms.WriteString("spam\tWIN cash call now " + n + "\nham\tsee you at lunch " + n + "\n")
	}
	write("davidson_en.csv", dav.String())
	write("mlma_fr.csv", "HITId,tweet,sentiment,directness,annotator_sentiment,target,group\n1,bonjour,normal,a,b,c,d\n2,sale con,offensive,a,b,c,d\n")
	write("mlma_en.csv", "HITId,tweet,sentiment,directness,annotator_sentiment,target,group\n1,hi,normal,a,b,c,d\n2,idiot,offensive,a,b,c,d\n")
	write("hatecheck_en.csv", ",functionality,case_id,test_case,label_gold,templ_id\n0,f,1,I hate women,hateful,7\n1,g,2,I love women,non-hateful,8\n")
	write("hatecheck_fr.csv", "mhc_case_id,functionality,test_case,label_gold,templ_id\nfr-1,f,Je déteste les femmes,hateful,3\nfr-2,g,J'aime les femmes,non-hateful,4\n")
	write("sms_spam.tsv", sms.String())
	write("youtube_spam/A.csv", "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n1,a,d,check my channel,1\n2,b,d,great song,0\n")
	write("vader_sentiment_en.tsv", "id\tmean_rating\ttext\n1\t2.5\tI love it\n2\t-2.5\tI hate it\n3\t0.1\tit is a table\n")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-data", dir, "-synthetic", "", "-bits", "16", "-epochs", "3", "-sweep"}, &out))
	s := out.String()
	for _, want := range []string{"5-fold cross-validation", "Davidson offensive-or-hate", "YouTube spam", "Pearson r(Compound, mean rating) = ", "classifier MCC / f-flag at"} {
		require.Contains(t, s, want)
	}
	var again bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-data", dir, "-synthetic", "", "-bits", "16", "-epochs", "3", "-sweep"}, &again))
	require.Equal(t, s, again.String())

	var errs bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-data", dir, "-synthetic", "", "-bits", "16", "-epochs", "3", "-errors", "sms_spam"}, &errs))
	require.Contains(t, errs.String(), "pipeline held-out errors on sms_spam, by deciding stage/rule:")
	require.Error(t, run(context.Background(), []string{"-data", dir, "-synthetic", "", "-bits", "16", "-epochs", "3", "-errors", "nope"}, &bytes.Buffer{}))
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"nothing", nil},
		{"bad folds", []string{"-data", "x", "-folds", "1"}},
		{"missing input", []string{"-input", "testdata/none.tsv"}},
		{"missing data", []string{"-data", "testdata/none"}},
		{"bad flag", []string{"-nope"}},
		{"short nb", []string{"-data", "x", "-nb", "1,0"}},
		{"bad nb", []string{"-data", "x", "-nb", "1,x,0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Error(t, run(context.Background(), tt.args, &bytes.Buffer{}))
		})
	}
}

func TestWordList(t *testing.T) {
	wl, err := loadWordList()
	require.NoError(t, err)
	require.True(t, wl.match("What the FUCK, man"))
	require.True(t, wl.match("quelle connasse"))
	require.False(t, wl.match("Scunthorpe is a town"))
	require.False(t, wl.match("merci beaucoup"))
}
