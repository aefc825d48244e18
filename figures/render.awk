# render.awk - fills the paper template: value files (key<TAB>value) first,
# then the template. {{key}} becomes the value; a line that is exactly
# {{include NAME}} becomes the file tables/NAME ({{include NAME ID}}: its
# header and the rows of claim ID); {{fig NAME}} becomes the
# path figs/NAME. An unknown key stops the render: a number is never left out.
# A table's first line may be an HTML comment (its provenance): kept, not counted.
BEGIN { FS = "\t" }
FILENAME != ARGV[ARGC - 1] { if ($0 !~ /^#/ && NF >= 2) val[$1] = $2; next }
/^\{\{include [^}]+\}\}[ \t]*$/ {
    f = $0; sub(/^\{\{include /, "", f); sub(/\}\}[ \t]*$/, "", f)
    id = ""; if (split(f, w, " ") > 1) { f = w[1]; id = w[2] } # a table's rows for one claim
    path = tables "/" f
    got = 0; ln = 0
    while ((getline line < path) > 0) {
        if (line ~ /^<!--/) { print line; got = 1; continue } # provenance: invisible, not a table row
        if (id == "" || ++ln <= 2 || index(line, "| " id " |") == 1) print line
        got = 1
    }
    close(path)
    if (!got) { print "render: " FILENAME ":" FNR ": " path " is missing or empty" > "/dev/stderr"; bad = 1 }
    next
}
{
    out = ""; s = $0
    while ((i = index(s, "{{")) > 0) {
        j = index(substr(s, i + 2), "}}")
        if (!j) break
        key = substr(s, i + 2, j - 1)
        if (key ~ /^fig /) rep = figs "/" substr(key, 5)
        else if (key in val) rep = val[key]
        else { print "render: " FILENAME ":" FNR ": no value for {{" key "}}" > "/dev/stderr"; bad = 1; rep = "{{" key "}}" }
        out = out substr(s, 1, i - 1) rep
        s = substr(s, i + j + 3)
    }
    print out s
}
END { if (bad) exit 1 }
