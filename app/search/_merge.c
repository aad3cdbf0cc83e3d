/* Union (OR) and intersection (AND) of sorted posting lists with their scores.

   What app/search/dense.py does with numpy, in one pass over the postings instead of
   ten array passes each: a two-word search over the benchmark's 5x data reads about
   400,000 postings. Scores are added in the parts' order, starting from 0.0, exactly
   as the numpy code adds them, so every float is the same (only additions: no fused
   multiply-add to worry about).

   Arguments are objects with the buffer protocol (numpy arrays): ids int64 ascending
   without repeats, scores float64 of the same length; the caller gives outputs long
   enough (the sum of the parts for a union, the shortest part for an intersection).
   Each function returns how many entries it wrote. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    Py_buffer ids;
    Py_buffer scores;
} Part;

static int
get_buffer(PyObject *obj, Py_buffer *view, char kind, int writable)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return -1;
    const char *f = view->format ? view->format : "B";
    int ok = view->itemsize == 8 && view->ndim <= 1 &&
             (kind == 'i' ? (strcmp(f, "l") == 0 || strcmp(f, "q") == 0)
                          : strcmp(f, "d") == 0);
    if (!ok) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_TypeError,
                        kind == 'i' ? "ids must be contiguous int64"
                                    : "scores must be contiguous float64");
        return -1;
    }
    return 0;
}

static void
release_parts(Part *parts, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        PyBuffer_Release(&parts[i].ids);
        PyBuffer_Release(&parts[i].scores);
    }
    PyMem_Free(parts);
}

/* The parts of (ids_list, scores_list), or NULL with an exception set. */
static Part *
get_parts(PyObject *ids_list, PyObject *scores_list, Py_ssize_t *count)
{
    if (!PyList_Check(ids_list) || !PyList_Check(scores_list) ||
        PyList_GET_SIZE(ids_list) != PyList_GET_SIZE(scores_list)) {
        PyErr_SetString(PyExc_TypeError, "two lists of the same length expected");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(ids_list);
    Part *parts = PyMem_Calloc(n ? n : 1, sizeof(Part));
    if (parts == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (get_buffer(PyList_GET_ITEM(ids_list, i), &parts[i].ids, 'i', 0) < 0) {
            release_parts(parts, i);
            return NULL;
        }
        if (get_buffer(PyList_GET_ITEM(scores_list, i), &parts[i].scores, 'd', 0) < 0) {
            PyBuffer_Release(&parts[i].ids);
            release_parts(parts, i);
            return NULL;
        }
        if (parts[i].ids.len != parts[i].scores.len) {
            release_parts(parts, i + 1);
            PyErr_SetString(PyExc_ValueError, "ids and scores differ in length");
            return NULL;
        }
    }
    *count = n;
    return parts;
}

/* The first position at or after `from` whose id is >= doc: gallop, then bisect
   (quick whether the list is about as long as the caller's or much longer). */
static Py_ssize_t
seek(const int64_t *ids, Py_ssize_t len, Py_ssize_t from, int64_t doc)
{
    Py_ssize_t step = 1;
    while (from + step < len && ids[from + step] < doc)
        step <<= 1;
    Py_ssize_t hi = from + step < len ? from + step : len;
    Py_ssize_t lo = from + (step >> 1);
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < doc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Union. A word's parts are one long list (its text in the page's language) and
   short ones (its title, other languages): the documents only in the longest are
   copied in runs, and only the others' documents are merged one by one. */
static Py_ssize_t
merge_union(Py_ssize_t k, const int64_t **ids, const double **scores,
            const Py_ssize_t *len, Py_ssize_t *pos, int64_t *oi, double *os)
{
    Py_ssize_t base = 0, written = 0;
    for (Py_ssize_t i = 1; i < k; i++)
        if (len[i] > len[base])
            base = i;
    const int64_t *bids = k ? ids[base] : NULL;
    const double *bscores = k ? scores[base] : NULL;
    Py_ssize_t blen = k ? len[base] : 0;
    for (;;) {
        int64_t doc = INT64_MAX;
        int any = 0;
        for (Py_ssize_t i = 0; i < k; i++)
            if (i != base && pos[i] < len[i] && (!any || ids[i][pos[i]] < doc)) {
                doc = ids[i][pos[i]];
                any = 1;
            }
        Py_ssize_t until = any ? seek(bids, blen, pos[base], doc) : blen;
        Py_ssize_t run = until - pos[base];
        if (run > 0) {  /* (in the longest part alone: its score is 0.0 + its own) */
            memcpy(oi + written, bids + pos[base], run * sizeof(int64_t));
            memcpy(os + written, bscores + pos[base], run * sizeof(double));
            written += run;
            pos[base] = until;
        }
        if (!any)
            break;
        double total = 0.0;  /* in the parts' order, the longest one included */
        for (Py_ssize_t i = 0; i < k; i++)
            if (pos[i] < len[i] && ids[i][pos[i]] == doc)
                total += scores[i][pos[i]++];
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
dense_union(Py_ssize_t k, const int64_t **ids, const double **scores,
            const Py_ssize_t *len, int64_t *oi, double *os)
{
    int64_t first = INT64_MAX, last = -1;
    for (Py_ssize_t i = 0; i < k; i++)
        if (len[i]) {
            if (ids[i][0] < first)
                first = ids[i][0];
            if (ids[i][len[i] - 1] > last)
                last = ids[i][len[i] - 1];
        }
    if (last < 0)
        return 0;
    size_t span = (size_t)(last - first + 1);
    double *sum = malloc(span * sizeof(double));
    unsigned char *seen = calloc(span, 1);
    if (sum == NULL || seen == NULL) {
        free(sum);
        free(seen);
        return -1;
    }
    for (Py_ssize_t i = 0; i < k; i++)
        for (Py_ssize_t j = 0; j < len[i]; j++) {
            size_t at = (size_t)(ids[i][j] - first);
            sum[at] = seen[at] ? sum[at] + scores[i][j] : scores[i][j];  /* 0.0 + s = s */
            seen[at] = 1;
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

/* Do the parts hold at least one document in 8 of the range they span, with the
   longest under half of them? (Then the array costs less than merging one by one.) */
static int
dense_enough(Py_ssize_t k, const int64_t **ids, const Py_ssize_t *len)
{
    int64_t first = INT64_MAX, last = -1;
    Py_ssize_t total = 0, longest = 0;
    for (Py_ssize_t i = 0; i < k; i++)
        if (len[i]) {
            first = ids[i][0] < first ? ids[i][0] : first;
            last = ids[i][len[i] - 1] > last ? ids[i][len[i] - 1] : last;
            total += len[i];
            longest = len[i] > longest ? len[i] : longest;
        }
    return last >= 0 && longest * 2 < total && (last - first + 1) <= 8 * (int64_t)total;
}

/* AND of two lists of similar length: a merge without unpredictable branches (at
   these densities about half the documents of each are in the other). */
static Py_ssize_t
intersect_two(const int64_t **ids, const double **scores, const Py_ssize_t *len,
              int64_t *oi, double *os)
{
    const int64_t *a = ids[0], *b = ids[1];
    const double *sa = scores[0], *sb = scores[1];
    Py_ssize_t i = 0, j = 0, written = 0;
    while (i < len[0] && j < len[1]) {
        int64_t x = a[i], y = b[j];
        oi[written] = x;
        os[written] = sa[i] + sb[j];  /* (0.0 + a + b: the same float) */
        written += x == y;
        i += x <= y;
        j += y <= x;
    }
    return written;
}

/* AND of any lists: the shortest proposes each of its documents, the others seek. */
static Py_ssize_t
intersect_many(Py_ssize_t k, const int64_t **ids, const double **scores,
               const Py_ssize_t *len, Py_ssize_t *pos, int64_t *oi, double *os)
{
    Py_ssize_t lead = 0, written = 0;
    for (Py_ssize_t i = 1; i < k; i++)
        if (len[i] < len[lead])
            lead = i;
    for (Py_ssize_t j = 0; j < len[lead]; j++) {
        int64_t doc = ids[lead][j];
        int everywhere = 1;
        for (Py_ssize_t i = 0; i < k && everywhere; i++) {
            if (i == lead)
                continue;
            pos[i] = seek(ids[i], len[i], pos[i], doc);
            everywhere = pos[i] < len[i] && ids[i][pos[i]] == doc;
        }
        if (!everywhere)
            continue;
        double total = 0.0;
        for (Py_ssize_t i = 0; i < k; i++)
            total += i == lead ? scores[lead][j] : scores[i][pos[i]];
        oi[written] = doc;
        os[written] = total;
        written++;
    }
    return written;
}

static PyObject *
run(PyObject *args, int intersect)
{
    PyObject *ids_list, *scores_list, *out_ids_obj, *out_scores_obj;
    if (!PyArg_ParseTuple(args, "OOOO", &ids_list, &scores_list, &out_ids_obj,
                          &out_scores_obj))
        return NULL;
    Py_ssize_t k = 0;
    Part *parts = get_parts(ids_list, scores_list, &k);
    if (parts == NULL)
        return NULL;
    Py_buffer out_ids, out_scores;
    if (get_buffer(out_ids_obj, &out_ids, 'i', 1) < 0) {
        release_parts(parts, k);
        return NULL;
    }
    if (get_buffer(out_scores_obj, &out_scores, 'd', 1) < 0) {
        PyBuffer_Release(&out_ids);
        release_parts(parts, k);
        return NULL;
    }
    Py_ssize_t room = out_ids.len < out_scores.len ? out_ids.len : out_scores.len;
    room /= 8;

    const int64_t **ids = PyMem_Calloc(k ? k : 1, sizeof(int64_t *));
    const double **scores = PyMem_Calloc(k ? k : 1, sizeof(double *));
    Py_ssize_t *len = PyMem_Calloc(k ? k : 1, sizeof(Py_ssize_t));
    Py_ssize_t *pos = PyMem_Calloc(k ? k : 1, sizeof(Py_ssize_t));
    Py_ssize_t written = -1;
    if (!ids || !scores || !len || !pos) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t needed = 0, shortest = PY_SSIZE_T_MAX;
    for (Py_ssize_t i = 0; i < k; i++) {
        ids[i] = parts[i].ids.buf;
        scores[i] = parts[i].scores.buf;
        len[i] = parts[i].ids.len / 8;
        needed += len[i];
        if (len[i] < shortest)
            shortest = len[i];
    }
    if (intersect ? (k && shortest > room) : needed > room) {
        PyErr_SetString(PyExc_ValueError, "output too short");
        goto done;
    }
    int64_t *oi = out_ids.buf;
    double *os = out_scores.buf;
    written = 0;

    Py_BEGIN_ALLOW_THREADS
    if (!intersect) {
        /* several long parts (and as dense as the benchmark's words): an array */
        written = k >= 3 && dense_enough(k, ids, len) ? dense_union(k, ids, scores, len, oi, os)
                                                      : -1;
        if (written < 0)
            written = merge_union(k, ids, scores, len, pos, oi, os);
    }
    else if (k == 2 && len[0] <= 4 * len[1] && len[1] <= 4 * len[0])
        written = intersect_two(ids, scores, len, oi, os);
    else if (k)
        written = intersect_many(k, ids, scores, len, pos, oi, os);
    Py_END_ALLOW_THREADS

done:
    PyMem_Free(ids);
    PyMem_Free(scores);
    PyMem_Free(len);
    PyMem_Free(pos);
    PyBuffer_Release(&out_ids);
    PyBuffer_Release(&out_scores);
    release_parts(parts, k);
    return written < 0 ? NULL : PyLong_FromSsize_t(written);
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
     "union(ids_list, scores_list, out_ids, out_scores) -> count: every document of "
     "the parts, scores added in the parts' order"},
    {"intersect", py_intersect, METH_VARARGS,
     "intersect(ids_list, scores_list, out_ids, out_scores) -> count: the documents in "
     "every part, scores added in the parts' order"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_merge",
    "Union and intersection of sorted posting lists (see dense.py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__merge(void)
{
    return PyModule_Create(&module);
}
