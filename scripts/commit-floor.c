// What durable commits cost on this disk, by shape, with no Ruyi code at all: the evidence behind the ledger's
// commit_ratio figure (see the README's benchmark section).
//
//   gcc -O2 -o /tmp/commit-floor scripts/commit-floor.c -lsqlite3 && /tmp/commit-floor DIR [ROUNDS] [PER_ROUND] [BODY]
//
// DIR must be on the disk under test (not tmpfs). Each variant is its own database with the ledger's pragmas (WAL,
// synchronous=FULL, 4 KiB pages, auto-checkpoint every 1000 frames), warmed untimed until its WAL has been filled
// once (commits then overwrite it in place, as on a till that has been selling), then timed in interleaved rounds so
// drift in the disk's speed hits all alike. Prints transactions per second, the ratio to the one-row baseline and the
// WAL frames each transaction wrote.
//
//   one-row   one 200-byte row per transaction (the benchmark's raw baseline)
//   entry     one BODY-byte row: a chain entry with no second B-tree
//   shaped    one BODY-byte row + a 16-byte-keyed row in a WITHOUT ROWID table (the ledger's two B-trees)
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    const char *name;
    int body;      // bytes of the main row
    int keyed;     // also write the keyed row
    sqlite3 *db;
    sqlite3_stmt *entry, *key, *begin, *commit;
    long seq, frames, lastFrames;
    double nanos;
} Variant;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static void exec(sqlite3 *db, const char *sql) {
    char *error = 0;
    if (sqlite3_exec(db, sql, 0, 0, &error) != SQLITE_OK) { fprintf(stderr, "%s: %s\n", sql, error); exit(1); }
}

static int countFrames(void *context, sqlite3 *db, const char *name, int frames) {
    Variant *v = context;
    if (frames < v->lastFrames) v->lastFrames = 0;   // the WAL restarted after a checkpoint
    v->frames += frames - v->lastFrames;
    v->lastFrames = frames;
    // This hook replaces SQLite's own auto-checkpoint hook: do what it does (PASSIVE at 1000 frames).
    if (frames >= 1000) sqlite3_wal_checkpoint_v2(db, 0, SQLITE_CHECKPOINT_PASSIVE, 0, 0);
    return SQLITE_OK;
}

static void step(sqlite3_stmt *s) {
    if (sqlite3_step(s) != SQLITE_DONE) { fprintf(stderr, "%s\n", sqlite3_errmsg(sqlite3_db_handle(s))); exit(1); }
    sqlite3_reset(s);
}

static void transaction(Variant *v, const unsigned char *payload) {
    unsigned char id[16] = {0};
    v->seq++;
    for (int b = 0; b < 8; b++) id[b] = (unsigned char)(v->seq >> (56 - 8 * b));   // time-ordered, like a UUIDv7
    step(v->begin);
    sqlite3_bind_int64(v->entry, 1, v->seq);
    sqlite3_bind_blob(v->entry, 2, id, 16, SQLITE_TRANSIENT);
    sqlite3_bind_blob(v->entry, 3, payload, v->body, SQLITE_TRANSIENT);
    step(v->entry);
    if (v->keyed) {
        sqlite3_bind_blob(v->key, 1, id, 16, SQLITE_TRANSIENT);
        sqlite3_bind_int64(v->key, 2, v->seq);
        step(v->key);
    }
    step(v->commit);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s DIR [ROUNDS] [PER_ROUND] [BODY]\n", argv[0]); return 2; }
    const char *dir = argv[1];
    int rounds = argc > 2 ? atoi(argv[2]) : 20, perRound = argc > 3 ? atoi(argv[3]) : 250, body = argc > 4 ? atoi(argv[4]) : 1820;
    Variant variants[] = {{"one-row", 200, 0}, {"entry", body, 0}, {"shaped", body, 1}};
    int count = sizeof variants / sizeof *variants;
    unsigned char *payload = malloc(body > 200 ? body : 200);
    srand(1);
    for (int i = 0; i < (body > 200 ? body : 200); i++) payload[i] = (unsigned char)rand();

    for (int i = 0; i < count; i++) {
        Variant *v = &variants[i];
        char path[4096], side[4200];
        snprintf(path, sizeof path, "%s/commit-floor-%s.sqlite", dir, v->name);
        unlink(path);
        snprintf(side, sizeof side, "%s-wal", path); unlink(side);
        snprintf(side, sizeof side, "%s-shm", path); unlink(side);
        if (sqlite3_open(path, &v->db) != SQLITE_OK) { fprintf(stderr, "open %s\n", path); return 1; }
        exec(v->db, "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                    "CREATE TABLE e(seq INTEGER PRIMARY KEY, id BLOB NOT NULL, body BLOB NOT NULL);"
                    "CREATE TABLE k(id BLOB PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;");
        sqlite3_prepare_v2(v->db, "INSERT INTO e VALUES (?, ?, ?)", -1, &v->entry, 0);
        sqlite3_prepare_v2(v->db, "INSERT INTO k VALUES (?, ?)", -1, &v->key, 0);
        sqlite3_prepare_v2(v->db, "BEGIN IMMEDIATE", -1, &v->begin, 0);
        sqlite3_prepare_v2(v->db, "COMMIT", -1, &v->commit, 0);
        sqlite3_wal_hook(v->db, countFrames, v);
        // Warm-up: until the WAL file holds one checkpoint cycle (1000 frames of 4 KiB + 24-byte headers).
        snprintf(side, sizeof side, "%s-wal", path);
        struct stat st;
        int warm = 0;
        while (stat(side, &st) != 0 || st.st_size < 1000L * (4096 + 24) + 32) { transaction(v, payload); warm++; }
        v->frames = 0;
        printf("# %-8s warmed with %d transactions\n", v->name, warm);
    }
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < count; i++) {
            Variant *v = &variants[i];
            double start = now();
            for (int k = 0; k < perRound; k++) transaction(v, payload);
            v->nanos += now() - start;
        }
    }
    long n = (long)rounds * perRound;
    for (int i = 0; i < count; i++) {
        Variant *v = &variants[i];
        printf("%-8s %5d-byte row%s  %6.0f txn/s  %.2f x one-row  %.2f WAL frames/txn\n", v->name, v->body,
               v->keyed ? " + keyed row" : "            ", n / (v->nanos / 1e9), variants[0].nanos / v->nanos, (double)v->frames / n);
    }
    return 0;
}
