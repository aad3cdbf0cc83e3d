/* Union (OR) and intersection (AND) of sorted posting lists with their scores.

   What app/search/dense.py does with numpy, in one pass over the postings instead of
   ten array passes each: a two-word search over the benchmark's 5x data reads about
   400,000 postings. Scores are added in the parts' order, starting from 0.0, exactly
   as the numpy code adds them, so every float is the same (only additions: no fused
   multiply-add to worry about).

   Arguments are objects with the buffer protocol (numpy arrays). A part is its
   document numbers (int64 or int32, ascending, no repeats) and either its scores
   (float64) or, with a table, its keys (uint16: the score is table[key], as a saved
   posting list holds them, see postings_cache.py). The caller gives int64 and
   float64 outputs long enough (the sum of the parts for a union, the shortest part
   for an intersection). Each function returns how many entries it wrote. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    Py_buffer ids_view, values_view, table_view;
    int has_table;
    /* read through the two functions below */
    const int64_t *ids64;  /* NULL: ids32 */
    const int32_t *ids32;
    const double *scores;  /* NULL: table[keys] */
    const uint16_t *keys;
    const double *table;
    Py_ssize_t len;
} Part;

static inline int64_t
id_at(const Part *p, Py_ssize_t j)
{
    return p->ids64 ? p->ids64[j] : (int64_t)p->ids32[j];
}

static inline double
score_at(const Part *p, Py_ssize_t j)
{
    return p->scores ? p->scores[j] : p->table[p->keys[j]];
}

static int
format_is(const Py_buffer *view, const char *const *names)
{
    const char *f = view->format ? view->format : "B";
    if (f[0] == '<' || f[0] == '=' || f[0] == '@')
        f++;
    for (; *names; names++)
        if (strcmp(f, *names) == 0)
            return 1;
    return 0;
}

static const char *const INT64[] = {"l", "q", NULL};
static const char *const INT32[] = {"i", NULL};
static const char *const FLOAT64[] = {"d", NULL};
static const char *const UINT16[] = {"H", NULL};

static int
get_buffer(PyObject *obj, Py_buffer *view, int writable)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return -1;
    if (view->ndim > 1) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_TypeError, "one-dimensional arrays expected");
        return -1;
    }
    return 0;
}

static void
release_part(Part *p, int views)
{
    if (views > 0)
        PyBuffer_Release(&p->ids_view);
    if (views > 1)
        PyBuffer_Release(&p->values_view);
    if (views > 2 && p->has_table)
        PyBuffer_Release(&p->table_view);
}

static void
release_parts(Part *parts, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++)
        release_part(&parts[i], 3);
    PyMem_Free(parts);
}

/* One part from its ids, values and table (or None); -1 with an exception set. */
static int
get_part(Part *p, PyObject *ids, PyObject *values, PyObject *table)
{
    if (get_buffer(ids, &p->ids_view, 0) < 0)
        return -1;
    if (get_buffer(values, &p->values_view, 0) < 0) {
        release_part(p, 1);
        return -1;
    }
    p->has_table = table != Py_None;
    if (p->has_table && get_buffer(table, &p->table_view, 0) < 0) {
        release_part(p, 2);
        return -1;
    }
    const char *problem = NULL;
    if (p->ids_view.itemsize == 8 && format_is(&p->ids_view, INT64))
        p->ids64 = p->ids_view.buf;
    else if (p->ids_view.itemsize == 4 && format_is(&p->ids_view, INT32))
        p->ids32 = p->ids_view.buf;
    else
        problem = "ids must be contiguous int64 or int32";
    p->len = p->ids_view.len / (p->ids_view.itemsize ? p->ids_view.itemsize : 1);
    if (problem == NULL && !p->has_table) {
        if (p->values_view.itemsize == 8 && format_is(&p->values_view, FLOAT64))
            p->scores = p->values_view.buf;
        else
            problem = "scores must be contiguous float64";
    }
    else if (problem == NULL) {
        if (p->values_view.itemsize == 2 && format_is(&p->values_view, UINT16) &&
            p->table_view.itemsize == 8 && format_is(&p->table_view, FLOAT64)) {
            p->keys = p->values_view.buf;
            p->table = p->table_view.buf;
        }
        else
            problem = "keys must be contiguous uint16, their table float64";
    }
    if (problem != NULL) {
        release_part(p, 3);
        PyErr_SetString(PyExc_TypeError, problem);
        return -1;
    }
    Py_ssize_t count = p->values_view.len / p->values_view.itemsize;
    if (count != p->len) {
        release_part(p, 3);
        PyErr_SetString(PyExc_ValueError, "ids and scores differ in length");
        return -1;
    }
    if (p->keys) {
        /* A saved list, read from a file: a damaged one (a key beyond its table, ids
           out of order) is refused, and the caller decodes the list instead. Lists
           made in memory are sorted by construction. */
        Py_ssize_t rows = p->table_view.len / 8;
        int64_t previous = -1;
        for (Py_ssize_t j = 0; j < p->len; j++) {
            int64_t id = id_at(p, j);
            if (p->keys[j] >= rows || id <= previous) {
                release_part(p, 3);
                PyErr_SetString(PyExc_IndexError, "a damaged saved posting list");
                return -1;
            }
            previous = id;
        }
    }
    return 0;
}

/* The parts of (ids_list, values_list, tables_list or None), or NULL with an
   exception set. */
static Part *
get_parts(PyObject *ids_list, PyObject *values_list, PyObject *tables, Py_ssize_t *count)
{
    if (!PyList_Check(ids_list) || !PyList_Check(values_list) ||
        PyList_GET_SIZE(ids_list) != PyList_GET_SIZE(values_list) ||
        (tables != Py_None && (!PyList_Check(tables) ||
                               PyList_GET_SIZE(tables) != PyList_GET_SIZE(ids_list)))) {
        PyErr_SetString(PyExc_TypeError, "lists of the same length expected");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(ids_list);
    Part *parts = PyMem_Calloc(n ? n : 1, sizeof(Part));
    if (parts == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *table = tables == Py_None ? Py_None : PyList_GET_ITEM(tables, i);
        if (get_part(&parts[i], PyList_GET_ITEM(ids_list, i),
                     PyList_GET_ITEM(values_list, i), table) < 0) {
            release_parts(parts, i);
            return NULL;
        }
    }
    *count = n;
    return parts;
}

/* The first position at or after `from` whose id is >= doc: gallop, then bisect
   (quick whether the list is about as long as the caller's or much longer). */
static Py_ssize_t
seek(const Part *p, Py_ssize_t from, int64_t doc)
{
    Py_ssize_t step = 1;
    while (from + step < p->len && id_at(p, from + step) < doc)
        step <<= 1;
    Py_ssize_t hi = from + step < p->len ? from + step : p->len;
    Py_ssize_t lo = from + (step >> 1);
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (id_at(p, mid) < doc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Entries [from, until) of a part, copied out. */
static void
copy_run(const Part *p, Py_ssize_t from, Py_ssize_t until, int64_t *oi, double *os)
{
    Py_ssize_t run = until - from;
    if (p->ids64)
        memcpy(oi, p->ids64 + from, run * sizeof(int64_t));
    else
        for (Py_ssize_t j = 0; j < run; j++)
            oi[j] = p->ids32[from + j];
    if (p->scores)
        memcpy(os, p->scores + from, run * sizeof(double));
    else
        for (Py_ssize_t j = 0; j < run; j++)
            os[j] = p->table[p->keys[from + j]];
}

/* Union. A word's parts are one long list (its text in the page's language) and
   short ones (its title, other languages): the documents only in the longest are
   copied in runs, and only the others' documents are merged one by one. */
static Py_ssize_t
merge_union(Py_ssize_t k, const Part *parts, Py_ssize_t *pos, int64_t *oi, double *os)
{
    Py_ssize_t base = 0, written = 0;
    for (Py_ssize_t i = 1; i < k; i++)
        if (parts[i].len > parts[base].len)
            base = i;
    for (;;) {
        int64_t doc = INT64_MAX;
        int any = 0;
        for (Py_ssize_t i = 0; i < k; i++)
            if (i != base && pos[i] < parts[i].len) {
                int64_t id = id_at(&parts[i], pos[i]);
                if (!any || id < doc) {
                    doc = id;
                    any = 1;
                }
            }
        if (k) {
            const Part *b = &parts[base];
            Py_ssize_t until = any ? seek(b, pos[base], doc) : b->len;
            if (until > pos[base]) {  /* (in the longest part alone: 0.0 + its own) */
                copy_run(b, pos[base], until, oi + written, os + written);
                written += until - pos[base];
                pos[base] = until;
            }
        }
        if (!any)
            break;
        double total = 0.0;  /* in the parts' order, the longest one included */
        for (Py_ssize_t i = 0; i < k; i++)
            if (pos[i] < parts[i].len && id_at(&parts[i], pos[i]) == doc)
                total += score_at(&parts[i], pos[i]++);
        oi[written] = doc;
        os[written] = total;
        written++;
    }
    return written;
}

/* Union of several long lists (a word common in many languages: each language's
   title and text fields): added up in an array over the documents they span, in the
   parts' order, then read out in document order. -1: no memory (use merge_union). */
static Py_ssize_t
dense_union(Py_ssize_t k, const Part *parts, int64_t first, int64_t last, int64_t *oi,
            double *os)
{
    size_t span = (size_t)(last - first + 1);
    double *sum = malloc(span * sizeof(double));
    unsigned char *seen = calloc(span, 1);
    if (sum == NULL || seen == NULL) {
        free(sum);
        free(seen);
        return -1;
    }
    for (Py_ssize_t i = 0; i < k; i++) {
        const Part *p = &parts[i];
        for (Py_ssize_t j = 0; j < p->len; j++) {
            size_t at = (size_t)(id_at(p, j) - first);
            if (at >= span)  /* (only if ids were out of order: never written outside) */
                continue;
            double score = score_at(p, j);
            sum[at] = seen[at] ? sum[at] + score : score;  /* (0.0 + s is s) */
            seen[at] = 1;
        }
    }
    Py_ssize_t written = 0;
    for (size_t at = 0; at < span; at++) {  /* (no branch on `seen`: it is a coin toss) */
        oi[written] = first + (int64_t)at;
        os[written] = sum[at];
        written += seen[at];
    }
    free(sum);
    free(seen);
    return written;
}

/* Do several parts hold at least one document in 8 of the range they span, with
   the longest under half of them? (Then an array costs less than merging.) */
static int
dense_enough(Py_ssize_t k, const Part *parts, int64_t *first, int64_t *last)
{
    Py_ssize_t total = 0, longest = 0;
    *first = INT64_MAX;
    *last = -1;
    for (Py_ssize_t i = 0; i < k; i++) {
        const Part *p = &parts[i];
        if (!p->len)
            continue;
        int64_t a = id_at(p, 0), b = id_at(p, p->len - 1);
        *first = a < *first ? a : *first;
        *last = b > *last ? b : *last;
        total += p->len;
        longest = p->len > longest ? p->len : longest;
    }
    return k >= 3 && *last >= 0 && longest * 2 < total &&
           (*last - *first + 1) <= 8 * (int64_t)total;
}

/* AND of two lists of similar length: a merge without unpredictable branches (at
   these densities about half the documents of each are in the other). */
static Py_ssize_t
intersect_two(const Part *a, const Part *b, int64_t *oi, double *os)
{
    Py_ssize_t i = 0, j = 0, written = 0;
    while (i < a->len && j < b->len) {
        int64_t x = id_at(a, i), y = id_at(b, j);
        oi[written] = x;
        os[written] = score_at(a, i) + score_at(b, j);  /* (0.0 + a + b: the same) */
        written += x == y;
        i += x <= y;
        j += y <= x;
    }
    return written;
}

/* AND of any lists: the shortest proposes each of its documents, the others seek. */
static Py_ssize_t
intersect_many(Py_ssize_t k, const Part *parts, Py_ssize_t *pos, int64_t *oi, double *os)
{
    Py_ssize_t lead = 0, written = 0;
    for (Py_ssize_t i = 1; i < k; i++)
        if (parts[i].len < parts[lead].len)
            lead = i;
    for (Py_ssize_t j = 0; j < parts[lead].len; j++) {
        int64_t doc = id_at(&parts[lead], j);
        int everywhere = 1;
        for (Py_ssize_t i = 0; i < k && everywhere; i++) {
            if (i == lead)
                continue;
            pos[i] = seek(&parts[i], pos[i], doc);
            everywhere = pos[i] < parts[i].len && id_at(&parts[i], pos[i]) == doc;
        }
        if (!everywhere)
            continue;
        double total = 0.0;
        for (Py_ssize_t i = 0; i < k; i++)
            total += score_at(&parts[i], i == lead ? j : pos[i]);
        oi[written] = doc;
        os[written] = total;
        written++;
    }
    return written;
}

/* A union as union() makes it (room: the sum of the parts): an array over the
   documents when the parts are dense enough and memory allows, else a merge. */
static Py_ssize_t
union_into(Py_ssize_t k, const Part *parts, Py_ssize_t *pos, int64_t *oi, double *os)
{
    int64_t first, last;
    Py_ssize_t written = dense_enough(k, parts, &first, &last)
                             ? dense_union(k, parts, first, last, oi, os) : -1;
    return written < 0 ? merge_union(k, parts, pos, oi, os) : written;
}

/* An intersection as intersect() makes it (room: the shortest part). */
static Py_ssize_t
intersect_into(Py_ssize_t k, const Part *parts, Py_ssize_t *pos, int64_t *oi, double *os)
{
    if (k == 2 && parts[0].len <= 4 * parts[1].len && parts[1].len <= 4 * parts[0].len)
        return intersect_two(&parts[0], &parts[1], oi, os);
    return k ? intersect_many(k, parts, pos, oi, os) : 0;
}

/* The two writable outputs, int64 and float64; -1 with an exception set (and
   nothing held) otherwise. */
static int
get_outputs(PyObject *ids_obj, PyObject *values_obj, Py_buffer *ids, Py_buffer *values)
{
    if (get_buffer(ids_obj, ids, 1) < 0)
        return -1;
    if (get_buffer(values_obj, values, 1) < 0) {
        PyBuffer_Release(ids);
        return -1;
    }
    if (!(ids->itemsize == 8 && format_is(ids, INT64) &&
          values->itemsize == 8 && format_is(values, FLOAT64))) {
        PyBuffer_Release(ids);
        PyBuffer_Release(values);
        PyErr_SetString(PyExc_TypeError, "outputs must be int64 and float64");
        return -1;
    }
    return 0;
}

static PyObject *
run(PyObject *args, int intersect)
{
    PyObject *ids_list, *values_list, *out_ids_obj, *out_scores_obj, *tables = Py_None;
    if (!PyArg_ParseTuple(args, "OOOO|O", &ids_list, &values_list, &out_ids_obj,
                          &out_scores_obj, &tables))
        return NULL;
    Py_ssize_t k = 0;
    Part *parts = get_parts(ids_list, values_list, tables, &k);
    if (parts == NULL)
        return NULL;
    Py_buffer out_ids, out_scores;
    if (get_outputs(out_ids_obj, out_scores_obj, &out_ids, &out_scores) < 0) {
        release_parts(parts, k);
        return NULL;
    }
    Py_ssize_t written = -1;
    Py_ssize_t *pos = PyMem_Calloc(k ? k : 1, sizeof(Py_ssize_t));
    if (pos == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t room = (out_ids.len < out_scores.len ? out_ids.len : out_scores.len) / 8;
    Py_ssize_t needed = 0, shortest = PY_SSIZE_T_MAX;
    for (Py_ssize_t i = 0; i < k; i++) {
        needed += parts[i].len;
        shortest = parts[i].len < shortest ? parts[i].len : shortest;
    }
    if (intersect ? (k && shortest > room) : needed > room) {
        PyErr_SetString(PyExc_ValueError, "output too short");
        goto done;
    }
    int64_t *oi = out_ids.buf;
    double *os = out_scores.buf;

    Py_BEGIN_ALLOW_THREADS
    written = intersect ? intersect_into(k, parts, pos, oi, os)
                        : union_into(k, parts, pos, oi, os);
    Py_END_ALLOW_THREADS

done:
    PyMem_Free(pos);
    PyBuffer_Release(&out_ids);
    PyBuffer_Release(&out_scores);
    release_parts(parts, k);
    return written < 0 ? NULL : PyLong_FromSsize_t(written);
}

/* ---- and_best: a search's whole answer in one segment, with no array in between ----

   An AND of groups, each an OR of parts (a word spread over its languages' fields):
   a document matches when every group has it in at least one part. Its score is
   added up as the merges above add it (each group's parts in order from 0.0, then
   the groups in order from 0.0), so the floats are the same; only documents that
   are live count, a page-language document gets `boost` added, and the `limit`
   best (key descending, then document ascending) are kept in a heap, without the
   union and intersection arrays and the passes over them that dense.py makes.

   Not by merging: documents go in blocks of BLOCK. In each, every group's parts are
   added up in a BLOCK-long array (small enough to stay in the processor's cache,
   unlike one over the segment) with a bit per document seen; the groups' bits are
   ANDed and the matches read out in document order. Each posting is visited once,
   with no k-way merge (a word common to many languages has up to 18 parts) and no
   union written out. A block where the group with the fewest postings has none is
   skipped, the other lists sought past it, so a rare word still makes a common one
   cheap. Against the merges (union, then intersection) this took a two-word search
   at the benchmark's 5x size from 5.2 to 3.2 ms. */

typedef struct {
    Part *parts;
    Py_ssize_t k;
    Py_ssize_t *pos;
} Group;

typedef struct {
    int64_t doc;
    double key;
} Hit;

/* Is a worse than b (lower key; on a tie, the later document)? */
static inline int
worse(const Hit *a, const Hit *b)
{
    return a->key < b->key || (a->key == b->key && a->doc > b->doc);
}

/* A min-heap of the best hits so far: the worst of them at the top. */
static void
heap_push(Hit *heap, Py_ssize_t *size, Py_ssize_t limit, Hit hit)
{
    Py_ssize_t at;
    if (*size < limit) {
        at = (*size)++;
        while (at > 0) {
            Py_ssize_t up = (at - 1) / 2;
            if (!worse(&hit, &heap[up]))
                break;
            heap[at] = heap[up];
            at = up;
        }
        heap[at] = hit;
        return;
    }
    if (limit == 0 || !worse(&heap[0], &hit))
        return;
    at = 0;
    for (;;) {
        Py_ssize_t child = 2 * at + 1;
        if (child >= *size)
            break;
        if (child + 1 < *size && worse(&heap[child + 1], &heap[child]))
            child++;
        if (!worse(&heap[child], &hit))
            break;
        heap[at] = heap[child];
        at = child;
    }
    heap[at] = hit;
}

static int
best_first(const void *a, const void *b)
{
    const Hit *x = a, *y = b;
    if (worse(y, x))
        return -1;
    return worse(x, y) ? 1 : 0;
}

/* Keep a matching document if it is live: counted, boosted, offered to the heap. */
static inline void
offer(int64_t doc, double score, const unsigned char *live, Py_ssize_t n_live,
      const unsigned char *bits, Py_ssize_t n_bits, double boost, Hit *heap,
      Py_ssize_t *size, Py_ssize_t limit, Py_ssize_t *total)
{
    if (doc < 0 || doc >= n_live || !live[doc])
        return;
    (*total)++;
    int in_lang = bits != NULL && (doc >> 3) < n_bits &&
                  ((bits[doc >> 3] >> (7 - (doc & 7))) & 1);
    Hit hit = {doc, in_lang ? score + boost : score + 0.0};
    heap_push(heap, size, limit, hit);
}

#define BLOCK 2048  /* documents: 16 KB of sums and 256 bytes of bits per group */
#define BLOCK_WORDS (BLOCK / 64)

/* A part's postings from j on that fall in [base, base + BLOCK), added to the block's
   sums: the first for a document replaces what the array held (0.0 + s is s), the
   next ones add to it, without a branch on which. Returns where the part goes on. */
static inline Py_ssize_t
add_block(const int32_t *ids32, const int64_t *ids64, const double *scores,
          const uint16_t *keys, const double *table, Py_ssize_t j, Py_ssize_t len,
          int64_t base, double *sum, uint64_t *seen)
{
    int64_t end = base + BLOCK;
    for (; j < len; j++) {
        int64_t d = ids32 ? (int64_t)ids32[j] : ids64[j];
        if (d >= end)
            break;
        if (d < base)  /* (never in order: a list out of order cannot loop) */
            continue;
        size_t at = (size_t)(d - base);
        uint64_t word = seen[at >> 6], bit = (uint64_t)1 << (at & 63);
        uint64_t kept;
        memcpy(&kept, &sum[at], sizeof kept);
        kept &= -(uint64_t)((word & bit) != 0);  /* (what was there if seen, else 0.0) */
        double before;
        memcpy(&before, &kept, sizeof before);
        sum[at] = before + (keys ? table[keys[j]] : scores[j]);
        seen[at >> 6] = word | bit;
    }
    return j;
}

/* The matching, scoring and keeping, block by block (see above). Returns how many live
   documents match; -1: no memory. */
static Py_ssize_t
and_best_run(Py_ssize_t n_groups, Group *groups, const unsigned char *live,
             Py_ssize_t n_live, const unsigned char *bits, Py_ssize_t n_bits, double boost,
             Hit *heap, Py_ssize_t limit, Py_ssize_t *kept)
{
    Py_ssize_t total = 0, size = 0, rarest = 0, fewest = PY_SSIZE_T_MAX;
    int64_t last = INT64_MAX;  /* no match after the smallest of the groups' last ids */
    for (Py_ssize_t g = 0; g < n_groups; g++) {
        Py_ssize_t count = 0;
        int64_t group_last = -1;
        for (Py_ssize_t i = 0; i < groups[g].k; i++) {
            const Part *p = &groups[g].parts[i];
            count += p->len;
            if (p->len && id_at(p, p->len - 1) > group_last)
                group_last = id_at(p, p->len - 1);
        }
        last = group_last < last ? group_last : last;
        if (count < fewest) {
            fewest = count;
            rarest = g;
        }
    }
    double *sums = calloc((size_t)n_groups * BLOCK, sizeof(double));
    uint64_t *seen = calloc((size_t)n_groups * BLOCK_WORDS, sizeof(uint64_t));
    if (sums == NULL || seen == NULL) {
        free(sums);
        free(seen);
        return -1;
    }
    const Group *lead = &groups[rarest];
    int64_t base = 0;
    for (;;) {
        /* The block of the rarest group's next document. */
        int64_t next = INT64_MAX;
        for (Py_ssize_t i = 0; i < lead->k; i++) {
            const Part *p = &lead->parts[i];
            Py_ssize_t j = lead->pos[i];
            if (j < p->len && id_at(p, j) < next)
                next = id_at(p, j);
        }
        if (next == INT64_MAX || next > last)
            break;
        if (next > base)
            base = next - (next & (BLOCK - 1));
        int64_t end = base + BLOCK;
        uint64_t all[BLOCK_WORDS];
        int any = 1;
        /* The rarest group first, then the others in order, while documents remain. */
        for (Py_ssize_t step = 0; step < n_groups && any; step++) {
            Py_ssize_t g = step == 0 ? rarest : (step <= rarest ? step - 1 : step);
            Group *gr = &groups[g];
            double *sum = sums + (size_t)g * BLOCK;
            uint64_t *bits_g = seen + (size_t)g * BLOCK_WORDS;
            for (Py_ssize_t i = 0; i < gr->k; i++) {
                const Part *p = &gr->parts[i];
                Py_ssize_t j = gr->pos[i];
                if (j < p->len && id_at(p, j) < base)
                    j = seek(p, j, base);
                /* (one loop for each kind of part: no test of the kind per posting) */
                if (p->ids32 && p->keys)
                    j = add_block(p->ids32, NULL, NULL, p->keys, p->table, j, p->len, base,
                                  sum, bits_g);
                else if (p->ids32)
                    j = add_block(p->ids32, NULL, p->scores, NULL, NULL, j, p->len, base,
                                  sum, bits_g);
                else if (p->keys)
                    j = add_block(NULL, p->ids64, NULL, p->keys, p->table, j, p->len, base,
                                  sum, bits_g);
                else
                    j = add_block(NULL, p->ids64, p->scores, NULL, NULL, j, p->len, base,
                                  sum, bits_g);
                gr->pos[i] = j;
            }
            any = 0;
            for (int w = 0; w < BLOCK_WORDS; w++) {
                all[w] = step == 0 ? bits_g[w] : all[w] & bits_g[w];
                any |= all[w] != 0;
            }
        }
        if (any)
            for (int w = 0; w < BLOCK_WORDS; w++)
                for (uint64_t m = all[w]; m; m &= m - 1) {
                    size_t at = (size_t)w * 64 + (size_t)__builtin_ctzll(m);
                    double score = 0.0;
                    for (Py_ssize_t g = 0; g < n_groups; g++)
                        score += sums[(size_t)g * BLOCK + at];
                    offer(base + (int64_t)at, score, live, n_live, bits, n_bits, boost, heap,
                          &size, limit, &total);
                }
        /* Nothing seen yet in the next block (its sums are read only where seen; the
           groups not reached in this one have no bits set). */
        memset(seen, 0, (size_t)n_groups * BLOCK_WORDS * sizeof(uint64_t));
        base = end;
    }
    free(sums);
    free(seen);
    qsort(heap, (size_t)size, sizeof(Hit), best_first);
    *kept = size;
    return total;
}

static void
release_groups(Group *groups, Py_ssize_t n)
{
    for (Py_ssize_t g = 0; g < n; g++) {
        release_parts(groups[g].parts, groups[g].k);
        PyMem_Free(groups[g].pos);
    }
    PyMem_Free(groups);
}

static PyObject *
py_and_best(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *groups_obj, *live_obj, *bits_obj, *out_ids_obj, *out_keys_obj;
    double boost;
    Py_ssize_t limit;
    if (!PyArg_ParseTuple(args, "O!OOdnOO", &PyList_Type, &groups_obj, &live_obj, &bits_obj,
                          &boost, &limit, &out_ids_obj, &out_keys_obj))
        return NULL;
    if (limit < 0) {
        PyErr_SetString(PyExc_ValueError, "limit must not be negative");
        return NULL;
    }
    Py_ssize_t n_groups = PyList_GET_SIZE(groups_obj);
    Group *groups = PyMem_Calloc(n_groups ? n_groups : 1, sizeof(Group));
    if (groups == NULL)
        return PyErr_NoMemory();
    Py_ssize_t ready = 0;
    PyObject *result = NULL;
    Py_buffer live = {0}, bits = {0}, out_ids = {0}, out_keys = {0};
    int have_live = 0, have_bits = 0, have_outputs = 0;
    Hit *heap = NULL;
    for (; ready < n_groups; ready++) {
        PyObject *group = PyList_GET_ITEM(groups_obj, ready);
        if (!PyTuple_Check(group) || PyTuple_GET_SIZE(group) != 3) {
            PyErr_SetString(PyExc_TypeError, "each group is (ids_list, values_list, tables)");
            goto done;
        }
        Part *parts = get_parts(PyTuple_GET_ITEM(group, 0), PyTuple_GET_ITEM(group, 1),
                                PyTuple_GET_ITEM(group, 2), &groups[ready].k);
        if (parts == NULL)
            goto done;
        groups[ready].parts = parts;
        groups[ready].pos = PyMem_Calloc(groups[ready].k ? groups[ready].k : 1,
                                         sizeof(Py_ssize_t));
        if (groups[ready].pos == NULL) {
            ready++;  /* (its parts are released with the others) */
            PyErr_NoMemory();
            goto done;
        }
    }
    if (get_buffer(live_obj, &live, 0) < 0)
        goto done;
    have_live = 1;
    if (bits_obj != Py_None) {
        if (get_buffer(bits_obj, &bits, 0) < 0)
            goto done;
        have_bits = 1;
    }
    if (live.itemsize != 1 || (have_bits && bits.itemsize != 1)) {
        PyErr_SetString(PyExc_TypeError, "live and bits must be one byte an entry");
        goto done;
    }
    if (get_outputs(out_ids_obj, out_keys_obj, &out_ids, &out_keys) < 0)
        goto done;
    have_outputs = 1;
    if (out_ids.len / 8 < limit || out_keys.len / 8 < limit) {
        PyErr_SetString(PyExc_ValueError, "output too short");
        goto done;
    }
    heap = PyMem_Malloc((limit ? limit : 1) * sizeof(Hit));
    if (heap == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t total = 0, kept = 0;
    if (n_groups) {
        Py_BEGIN_ALLOW_THREADS
        total = and_best_run(n_groups, groups, live.buf, live.len,
                             have_bits ? bits.buf : NULL, have_bits ? bits.len : 0, boost,
                             heap, limit, &kept);
        Py_END_ALLOW_THREADS
    }
    if (total < 0) {
        PyErr_NoMemory();
        goto done;
    }
    int64_t *oi = out_ids.buf;
    double *ok = out_keys.buf;
    for (Py_ssize_t j = 0; j < kept; j++) {
        oi[j] = heap[j].doc;
        ok[j] = heap[j].key;
    }
    result = Py_BuildValue("nn", total, kept);
done:
    PyMem_Free(heap);
    if (have_outputs) {
        PyBuffer_Release(&out_keys);
        PyBuffer_Release(&out_ids);
    }
    if (have_bits)
        PyBuffer_Release(&bits);
    if (have_live)
        PyBuffer_Release(&live);
    release_groups(groups, ready);
    return result;
}

static PyObject *
py_union(PyObject *self, PyObject *args)
{
    (void)self;
    return run(args, 0);
}

static PyObject *
py_intersect(PyObject *self, PyObject *args)
{
    (void)self;
    return run(args, 1);
}

static PyMethodDef methods[] = {
    {"union", py_union, METH_VARARGS,
     "union(ids_list, values_list, out_ids, out_scores[, tables]) -> count: every "
     "document of the parts, scores added in the parts' order"},
    {"intersect", py_intersect, METH_VARARGS,
     "intersect(ids_list, values_list, out_ids, out_scores[, tables]) -> count: the "
     "documents in every part, scores added in the parts' order"},
    {"and_best", py_and_best, METH_VARARGS,
     "and_best(groups, live, bits, boost, limit, out_ids, out_keys) -> (total, kept): "
     "the documents in at least one part of every group (ids_list, values_list, "
     "tables), live, scored as intersect(union(...), ...) scores them, `boost` added "
     "where `bits` (packed, or None) is set; the `limit` best, best first"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_merge",
    "Union and intersection of sorted posting lists (see dense.py).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__merge(void)
{
    return PyModule_Create(&module);
}
