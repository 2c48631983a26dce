package io.cmkflow.standins.arm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Every request the simulator answered, in arrival order. Thread-safe; readers get snapshots. */
public final class Journal {
    private final List<JournalEntry> entries = new ArrayList<>();

    synchronized void record(JournalEntry entry) {
        entries.add(entry);
    }

    /** All entries so far. */
    public synchronized List<JournalEntry> entries() {
        return List.copyOf(entries);
    }

    public List<JournalEntry> where(Predicate<JournalEntry> filter) {
        return entries().stream().filter(filter).toList();
    }

    /** Requests that change state (anything but GET and HEAD). */
    public List<JournalEntry> writes() {
        return where(JournalEntry::isWrite);
    }

    public List<JournalEntry> reads() {
        return where(e -> !e.isWrite());
    }

    /** Entries for one operation id, e.g. {@code Keys_CreateIfNotExist} (case-insensitive). */
    public List<JournalEntry> byOperation(String operation) {
        return where(e -> e.operation().equalsIgnoreCase(operation));
    }

    /** Requests no route matched: they show where the simulator lacks an operation the client used. */
    public List<JournalEntry> unhandled() {
        return where(e -> !e.handled());
    }

    public synchronized void clear() {
        entries.clear();
    }
}
