package devdata

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseTSV(t *testing.T) {
	in := "# comment\nlang\tlabel\ttext\nfr\tcomplaint\tService nul\n\nen\tHATE\tgo back home\nfr\tspam\tabonne toi\r\n"
	rows, err := ParseTSV(strings.NewReader(in), "x")
	require.NoError(t, err)
	require.Len(t, rows, 3)
	require.Equal(t, Row{Set: "x", Lang: "fr", Label: "complaint", Text: "Service nul", Group: "Service nul"}, rows[0])
	require.True(t, rows[1].Toxic && rows[1].Hate && !rows[1].Spam)
	require.True(t, rows[2].Spam && !rows[2].Toxic)
}

func TestParseTSVErrors(t *testing.T) {
	tests := []struct{ name, in, msg string }{
		{"two columns", "fr\tspam\n", "line 1: want 3"},
		{"unknown label", "en\tclean\tok\nen\trude\tbad\n", `line 2: unknown label "rude"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTSV(strings.NewReader(tt.in), "x")
			require.ErrorContains(t, err, tt.msg)
		})
	}
}

func TestFlaggedAndTargets(t *testing.T) {
	for _, l := range Labels {
		r := Row{Label: l}
		r.targets()
		require.Equal(t, Flagged(l), r.Toxic || r.Spam, l)
	}
}

func TestMLMALabel(t *testing.T) {
	tests := map[string]string{
		"normal": "clean", "offensive": "toxic", "abusive_normal": "toxic", "fearful": "toxic",
		"offensive_hateful": "hate", "hateful_normal": "hate", "": "",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) { require.Equal(t, want, mlmaLabel(in)) })
	}
}

func TestClean(t *testing.T) {
	require.Equal(t, "Hey & you'r <ok>", Clean("Hey &amp; you&#39;r<br />&lt;ok&gt;\ufeff"))
	require.Equal(t, "a b", Clean(" a \n\t b "))
}

func TestFoldStable(t *testing.T) {
	r := Row{Group: "hello"}
	require.Equal(t, Fold(r, 5), Fold(r, 5))
	seen := map[int]bool{}
	for i := range 100 {
		f := Fold(Row{Group: strings.Repeat("x", i)}, 5)
		require.True(t, f >= 0 && f < 5)
		seen[f] = true
	}
	require.Len(t, seen, 5)
}

func TestLoadTinyDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644))
	}
	write("davidson_en.csv", ",count,hate_speech,offensive_language,neither,class,tweet\n0,3,0,0,3,2,hello &amp; bye\n1,3,3,0,0,0,hateful thing\n")
	write("mlma_fr.csv", "HITId,tweet,sentiment,directness,annotator_sentiment,target,group\n1,bonjour,normal,a,b,c,d\n")
	write("mlma_en.csv", "HITId,tweet,sentiment,directness,annotator_sentiment,target,group\n1,hi,offensive,a,b,c,d\n")
	write("hatecheck_en.csv", ",functionality,case_id,test_case,label_gold,templ_id\n0,f,1,I hate X,hateful,7\n")
	write("hatecheck_fr.csv", "mhc_case_id,functionality,test_case,label_gold,templ_id\nfr-1,f,Je déteste X,non-hateful,3\n")
	write("sms_spam.tsv", "label\ttext\nham\tok lar\nspam\tWIN now\n")
	write("youtube_spam/A.csv", "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n1,a,d,check my channel,1\n")
	rows, err := Load(dir)
	require.NoError(t, err)
	require.Len(t, rows, 9)
	require.Equal(t, "hello & bye", rows[0].Text)
	require.Equal(t, "clean", rows[0].Label)
	require.True(t, rows[1].Hate)
	require.Equal(t, "hatecheck_en/f/7", rows[4].Group)
	require.True(t, rows[4].Hateful)
	require.Equal(t, "youtube_spam", rows[8].Set)
	require.True(t, rows[8].Spam)
	ex := Examples(rows)
	require.Len(t, ex, 9)
	require.Equal(t, 2.0, ex[8].Weight)
	_, err = Load(t.TempDir())
	require.Error(t, err)
}

func FuzzParseTSV(f *testing.F) {
	f.Add("fr\tclean\tbonjour\n")
	f.Add("lang\tlabel\ttext\nen\tspam\tx\ty\n")
	f.Add("\t\t\n#\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParseTSV(strings.NewReader(in), "f")
		if err != nil {
			return
		}
		for _, r := range rows {
			if Flagged(r.Label) != (r.Toxic || r.Spam) {
				t.Fatalf("row %+v: targets disagree with label", r)
			}
		}
	})
}
