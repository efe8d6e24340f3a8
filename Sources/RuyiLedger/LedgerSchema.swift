import GRDB

/// The ledger's tables, as named migrations. A migration is never edited once it has landed: add a new one.
///
/// Two kinds of tables, and the line between them is deliberate (DESIGN.md):
/// - `ledger_entry` holds every record of money and goods — sales, refunds, post-voids, shift events, Z reports, stock
///   movements, price changes, catalog imports, cashier changes — as canonical JSON, hash-chained, append-only
///   (triggers refuse UPDATE and DELETE, and an INSERT must extend the chain by exactly one).
/// - `outbox` (from v8) has one row per entry, keyed by its UUIDv7, written with it: the idempotency key upstream and
///   the chain's unique id index in one table, append-only as well. The acknowledgement cursor is an anchor.
/// - Everything else is operational state derived from the entries or owned by the running till (current catalog,
///   stock levels, cashier PIN hashes and lock-outs, the open shift, parked carts, sync anchors). It may
///   change and is never money of record: the catalog, prices and stock can be rebuilt from the chain.
enum LedgerSchema {
    static func migrator() -> DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-ledger") { db in
            try db.execute(sql: """
                CREATE TABLE ledger_entry (
                    seq   INTEGER PRIMARY KEY,   -- 1, 2, 3 … without gaps
                    id    BLOB NOT NULL,         -- UUIDv7, 16 bytes: the idempotency key upstream
                    kind  TEXT NOT NULL,
                    ref   BLOB,                  -- the entry this one refers to (refund/post-void → sale)
                    receipt INTEGER,             -- sales and refunds: number within the shift
                    body  BLOB NOT NULL,         -- canonical JSON (encoding v1): exactly the bytes hashed
                    hash  BLOB NOT NULL          -- SHA-256(previous hash ‖ body)
                );
                CREATE UNIQUE INDEX ledger_entry_id ON ledger_entry(id);
                CREATE INDEX ledger_entry_ref ON ledger_entry(ref) WHERE ref IS NOT NULL;

                CREATE TRIGGER ledger_entry_append_only_update BEFORE UPDATE ON ledger_entry
                BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: record a correction instead'); END;
                CREATE TRIGGER ledger_entry_append_only_delete BEFORE DELETE ON ledger_entry
                BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: record a correction instead'); END;
                CREATE TRIGGER ledger_entry_extends_chain BEFORE INSERT ON ledger_entry
                WHEN NEW.seq IS NOT (SELECT IFNULL(MAX(seq), 0) + 1 FROM ledger_entry)
                BEGIN SELECT RAISE(ABORT, 'a ledger entry must extend the chain by exactly one'); END;

                -- Outbox: entries still to ship upstream. Written in the same transaction as the entry; rows are
                -- deleted when the server acknowledges them (the chain keeps the entry itself).
                CREATE TABLE outbox (
                    seq INTEGER PRIMARY KEY REFERENCES ledger_entry(seq),
                    entry_id BLOB NOT NULL
                );

                -- Anchors: chain heads known outside this file (printed on a Z report, acknowledged by the server).
                CREATE TABLE anchor (
                    kind TEXT NOT NULL,          -- 'z_report' | 'server_ack'
                    seq  INTEGER NOT NULL,
                    hash BLOB NOT NULL,
                    recorded_at INTEGER NOT NULL,
                    PRIMARY KEY (kind, seq)
                ) WITHOUT ROWID;

                -- Current catalog, derived from catalog_import / price_change entries.
                CREATE TABLE tax_category (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    rate_bp INTEGER NOT NULL CHECK (rate_bp >= 0 AND rate_bp <= 10000)
                ) WITHOUT ROWID;
                CREATE TABLE product (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    price INTEGER NOT NULL,
                    open_price INTEGER NOT NULL,
                    tax_category TEXT NOT NULL REFERENCES tax_category(id),
                    category TEXT NOT NULL,
                    stock_tracked INTEGER NOT NULL,
                    active INTEGER NOT NULL,
                    low_stock INTEGER,
                    plu TEXT
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX product_plu ON product(plu) WHERE plu IS NOT NULL;
                CREATE TABLE barcode (
                    code TEXT PRIMARY KEY,       -- GTIN-14 for retail codes, else as printed
                    product_id TEXT NOT NULL REFERENCES product(id),
                    pack_quantity INTEGER NOT NULL CHECK (pack_quantity > 0)
                ) WITHOUT ROWID;
                CREATE INDEX barcode_product ON barcode(product_id);
                CREATE TABLE price_history (
                    product_id TEXT NOT NULL,
                    seq INTEGER NOT NULL REFERENCES ledger_entry(seq),
                    price INTEGER NOT NULL,
                    PRIMARY KEY (product_id, seq)
                ) WITHOUT ROWID;

                -- Stock on hand in base units, folded from the stock movements recorded in entries up to
                -- meta 'stock_folded_seq'. Rebuildable from the chain at any time.
                CREATE TABLE stock_level (
                    product_id TEXT PRIMARY KEY,
                    on_hand INTEGER NOT NULL,
                    went_negative_seq INTEGER    -- last entry that took it below zero (owner's attention)
                ) WITHOUT ROWID;

                -- Cashiers: identity and role are chained (cashier_change entries); the PIN hash and lock-out live here only.
                CREATE TABLE cashier (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('cashier', 'owner')),
                    pin_salt BLOB NOT NULL,
                    pin_hash BLOB NOT NULL,
                    active INTEGER NOT NULL,
                    failed_attempts INTEGER NOT NULL DEFAULT 0,
                    locked_until INTEGER
                ) WITHOUT ROWID;

                -- The open shift (at most one per terminal); derived from shift entries, kept for the sale path.
                CREATE TABLE shift_state (
                    one INTEGER PRIMARY KEY CHECK (one = 1),
                    shift_number INTEGER NOT NULL,
                    open_seq INTEGER NOT NULL,
                    opened_at INTEGER NOT NULL,
                    business_date TEXT NOT NULL,
                    cashier TEXT NOT NULL,
                    z_number INTEGER NOT NULL,   -- the last Z number issued
                    is_open INTEGER NOT NULL
                );

                -- Carts put aside by the cashier; operational, removed on resume.
                CREATE TABLE parked_cart (
                    id BLOB PRIMARY KEY,
                    cashier TEXT NOT NULL,
                    parked_at INTEGER NOT NULL,
                    label TEXT NOT NULL,
                    cart BLOB NOT NULL
                ) WITHOUT ROWID;

                -- Barcodes sold at an entered price that the catalog did not know: for the owner to complete.
                CREATE TABLE pending_product (
                    barcode TEXT PRIMARY KEY,
                    first_seq INTEGER NOT NULL,
                    last_price INTEGER NOT NULL,
                    times_sold INTEGER NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE meta (
                    key TEXT PRIMARY KEY,
                    value
                ) WITHOUT ROWID;
                INSERT INTO meta(key, value) VALUES ('encoding', 1), ('stock_folded_seq', 0);
                INSERT INTO tax_category(id, name, rate_bp) VALUES
                    ('standard', '标准税率', 1300), ('reduced', '低税率', 900), ('service', '服务', 600), ('exempt', '免税', 0);
                """)
        }
        registerPrintQueue(&m)
        m.registerMigration("v3-pin-rounds") { db in
            // The PBKDF2 rounds each PIN hash was made with, so a change of the default never locks anyone out.
            // NULL: hashed before this column, with the options' rounds.
            try db.execute(sql: "ALTER TABLE cashier ADD COLUMN pin_rounds INTEGER")
        }
        m.registerMigration("v4-product-initials") { db in
            // The search reads the catalog itself (no index in memory): each name's pinyin initials beside it.
            try db.execute(sql: "ALTER TABLE product ADD COLUMN initials TEXT NOT NULL DEFAULT ''")
            let update = try db.makeStatement(sql: "UPDATE product SET initials = ? WHERE id = ?")
            let rows = try Row.fetchCursor(db, sql: "SELECT id, name FROM product")
            while let row = try rows.next() {
                let id: String = row[0], name: String = row[1]
                try update.execute(arguments: [PinyinInitials.of(name), id])
            }
        }
        m.registerMigration("v5-payment-attempts") { db in
            // Payment-code attempts (chained too: payment_attempt and payment_outcome entries) and each step of them.
            try db.execute(sql: """
                CREATE TABLE payment_attempt (
                    id BLOB PRIMARY KEY,            -- UUIDv7: the merchant order number
                    provider TEXT NOT NULL,
                    amount INTEGER NOT NULL,
                    code_hint TEXT NOT NULL,        -- the auth code's first and last four digits
                    cashier TEXT NOT NULL,
                    state TEXT NOT NULL,            -- started paying paid completed declined reversing reversed
                    transaction_id TEXT,
                    sale BLOB,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX payment_attempt_unfinished ON payment_attempt(created_at) WHERE state NOT IN ('completed', 'declined', 'reversed');
                CREATE TABLE payment_step (
                    attempt BLOB NOT NULL REFERENCES payment_attempt(id),
                    at INTEGER NOT NULL,
                    step TEXT NOT NULL,
                    detail TEXT
                );
                CREATE INDEX payment_step_attempt ON payment_step(attempt);
                """)
        }
        m.registerMigration("v6-payment-refunds") { db in
            // A refund back to a code payment is an attempt too: `kind` refund, `refunds` the paying attempt.
            try db.execute(sql: """
                ALTER TABLE payment_attempt ADD COLUMN kind TEXT NOT NULL DEFAULT 'pay';
                ALTER TABLE payment_attempt ADD COLUMN refunds BLOB;
                """)
        }
        m.registerMigration("v7-product-codes") { db in
            // Each product's barcodes beside it, space-delimited (` 06901234567892 16901234567899 `), so the search tests
            // barcode digits on the product's own row instead of collecting every matching barcode first.
            try db.execute(sql: """
                ALTER TABLE product ADD COLUMN codes TEXT NOT NULL DEFAULT '';
                UPDATE product SET codes = coalesce((SELECT ' ' || group_concat(code, ' ') || ' ' FROM barcode WHERE product_id = product.id), '');
                """)
        }
        m.registerMigration("v8-outbox-keys") { db in
            // The outbox row and the unique index on entry ids become one table, keyed by the entry's UUIDv7 (its
            // idempotency key upstream), so every entry touches two B-trees instead of three: at a page write and a WAL
            // frame per entry, that is most of what a sale costs beyond its own row. Rows are never deleted (they are the
            // id index of the chain); what the server has acknowledged is the cursor, the newest `server_ack` anchor.
            try db.execute(sql: """
                CREATE TABLE outbox_keyed (
                    id  BLOB PRIMARY KEY,        -- the entry's UUIDv7: unique across the chain
                    seq INTEGER NOT NULL         -- the entry it ships
                ) WITHOUT ROWID;
                INSERT INTO outbox_keyed(id, seq) SELECT id, seq FROM ledger_entry ORDER BY id;
                DROP TABLE outbox;
                DROP INDEX ledger_entry_id;
                ALTER TABLE outbox_keyed RENAME TO outbox;
                CREATE TRIGGER outbox_append_only_update BEFORE UPDATE ON outbox
                BEGIN SELECT RAISE(ABORT, 'outbox rows are append-only: the server acknowledgement is the anchor'); END;
                CREATE TRIGGER outbox_append_only_delete BEFORE DELETE ON outbox
                BEGIN SELECT RAISE(ABORT, 'outbox rows are append-only: the server acknowledgement is the anchor'); END;
                """)
        }
        m.registerMigration("v9-shift-history") { db in
            // Each shift's span of the chain and its Z number, so a receipt number or a Z reprint is found within its
            // shift instead of by reading every entry ever written (a year of sales is hundreds of MB). Written at
            // shift open and close only, never on the sale path; rebuildable from the shift entries, as here.
            try db.execute(sql: """
                CREATE TABLE shift_history (
                    shift_number INTEGER PRIMARY KEY,
                    open_seq  INTEGER NOT NULL,  -- the shift_open entry
                    close_seq INTEGER,           -- the shift_close entry (its Z report); NULL while open
                    z_number  INTEGER UNIQUE
                );
                INSERT INTO shift_history(shift_number, open_seq)
                    SELECT json_extract(CAST(body AS TEXT), '$.data.shift'), seq FROM ledger_entry WHERE kind = 'shift_open';
                UPDATE shift_history SET close_seq = c.seq, z_number = c.z
                    FROM (SELECT seq, json_extract(CAST(body AS TEXT), '$.data.report.shift') AS shift,
                                 json_extract(CAST(body AS TEXT), '$.data.z') AS z
                          FROM ledger_entry WHERE kind = 'shift_close') AS c
                    WHERE c.shift = shift_history.shift_number;
                """)
        }
        m.registerMigration("v10-product-barcode-list") { db in
            // Each product's barcodes with their pack sizes beside it (`code*pack;code*pack`, by code), so a scan reads
            // one product row instead of also walking the barcode index for the list: a third of a lookup's time.
            try db.execute(sql: """
                ALTER TABLE product ADD COLUMN barcode_list TEXT NOT NULL DEFAULT '';
                UPDATE product SET barcode_list = coalesce((SELECT group_concat(code || '*' || pack_quantity, ';')
                    FROM (SELECT code, pack_quantity FROM barcode WHERE product_id = product.id ORDER BY code)), '');
                """)
        }
        m.registerMigration("v11-payment-attempt-lookups") { db in
            // A return of a code-paid sale finds the attempt that paid it, and what was already refunded to it, by sale
            // and by paying attempt: without these, each read every attempt the till ever made (a year is tens of
            // thousands). Partial: cash sales and unfinished attempts add nothing to them.
            try db.execute(sql: """
                CREATE INDEX payment_attempt_sale ON payment_attempt(sale) WHERE sale IS NOT NULL;
                CREATE INDEX payment_attempt_refunds ON payment_attempt(refunds) WHERE refunds IS NOT NULL;
                """)
        }
        m.registerMigration("v12-print-job-attention") { db in
            // The print worker counts the receipts that failed or may not have printed lately (the owner's menu offers
            // to reprint them) at every poll, four times a second when idle. Without this each count read the whole
            // print_job table, every receipt ever printed with its document: a year of sales is a hundred MB or more,
            // read over and over, evicting the pages the till's lookups need. Partial: printed receipts add nothing.
            try db.execute(sql: """
                CREATE INDEX print_job_attention ON print_job(updated_at) WHERE state IN ('failed', 'unknown');
                """)
        }
        return m
    }

    /// The triggers that keep the chain append-only, by table (the verifier reports any that are missing).
    static let protectingTriggers = [
        "ledger_entry": ["ledger_entry_append_only_update", "ledger_entry_append_only_delete", "ledger_entry_extends_chain"],
        "outbox": ["outbox_append_only_update", "outbox_append_only_delete"],
    ]
}
