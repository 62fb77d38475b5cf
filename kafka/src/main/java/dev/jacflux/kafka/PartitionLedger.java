package dev.jacflux.kafka;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one owned input partition between poll and commit, in offset order. Only the
 * leading run of records with an outcome is committed (with the offset after its last record), so
 * the committed offset never passes a record whose result is not in the same or an earlier
 * transaction. Used by the polling thread only.
 */
final class PartitionLedger {
    private final TopicPartition partition;
    private final ArrayDeque<Slot> pending = new ArrayDeque<>();

    PartitionLedger(TopicPartition partition) {
        this.partition = partition;
    }

    TopicPartition partition() {
        return partition;
    }

    void add(Slot s) {
        pending.addLast(s);
    }

    int size() {
        return pending.size();
    }

    /** The offset of the oldest record not committed, or -1 if none is held. */
    long firstOffset() {
        Slot s = pending.peekFirst();
        return s == null ? -1 : s.offset();
    }

    /** The leading records that have an outcome, oldest first. */
    List<Slot> ready() {
        List<Slot> out = new ArrayList<>();
        for (Slot s : pending) {
            if (!s.isDone()) {
                break;
            }
            out.add(s);
        }
        return out;
    }

    /** Removes the first {@code n} records (committed). */
    void removeFirst(int n) {
        for (int i = 0; i < n; i++) {
            pending.removeFirst();
        }
    }

    /** Cancels and removes every record; returns how many there were. */
    int cancelAll() {
        int n = pending.size();
        for (Iterator<Slot> it = pending.iterator(); it.hasNext();) {
            it.next().cancel();
            it.remove();
        }
        return n;
    }
}
