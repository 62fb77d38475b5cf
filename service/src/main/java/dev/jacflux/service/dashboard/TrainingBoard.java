package dev.jacflux.service.dashboard;

import dev.jacflux.service.trainings.TrainingUpdate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainings the dashboard shows, fed by the service's training updates: for each, the latest
 * update and a step history (loss, clipped fraction, epsilon) thinned to at most
 * {@value #MAX_HISTORY} points by dropping every other point when it is full, so a long training
 * keeps its whole course at a coarser grain. At most {@value #MAX_TRAININGS} trainings are kept:
 * those updated most recently.
 *
 * <pre>{@code
 * TrainingBoard board = new TrainingBoard();
 * feed.updates().subscribe(board::accept);
 * board.all();            // for a snapshot
 * board.drainChanged();   // for a tick: what changed since the previous call
 * }</pre>
 */
public final class TrainingBoard {
    /** Most history points per training. */
    public static final int MAX_HISTORY = 600;
    /** Most trainings shown. */
    public static final int MAX_TRAININGS = 8;

    private final Map<String, Entry> byId = new LinkedHashMap<>();
    private long order;

    private static final class Entry {
        TrainingUpdate latest;
        long lastChange;
        boolean changed;
        final List<List<Number>> history = new ArrayList<>();
        final List<List<Number>> fresh = new ArrayList<>();
    }

    /** Takes one update. */
    public synchronized void accept(TrainingUpdate u) {
        Entry e = byId.computeIfAbsent(u.id(), id -> new Entry());
        boolean newStep = u.step() > 0 && (e.latest == null || u.step() > e.latest.step());
        e.latest = u;
        e.lastChange = ++order;
        e.changed = true;
        if (newStep) {
            List<Number> p = Arrays.asList(u.step(), finite(u.loss()), finite(u.clippedFraction()), finite(u.epsilon()));
            e.history.add(p);
            e.fresh.add(p);
            if (e.history.size() > MAX_HISTORY) {
                thin(e.history);
            }
        }
        if (byId.size() > MAX_TRAININGS) {
            byId.entrySet().stream().min(Comparator.comparingLong(x -> x.getValue().lastChange))
                    .map(Map.Entry::getKey).ifPresent(byId::remove);
        }
    }

    /** Every training shown, oldest first, with its history (changes nothing: the next tick still carries what changed). */
    public synchronized List<TrainingPanel> all() {
        List<TrainingPanel> out = new ArrayList<>();
        for (Entry e : byId.values()) {
            out.add(new TrainingPanel(e.latest, List.copyOf(e.history)));
        }
        return out;
    }

    /** The trainings updated since the previous call, each with the history points added since. */
    public synchronized List<TrainingPanel> drainChanged() {
        List<TrainingPanel> out = new ArrayList<>();
        for (Entry e : byId.values()) {
            if (e.changed) {
                out.add(new TrainingPanel(e.latest, List.copyOf(e.fresh)));
                e.fresh.clear();
                e.changed = false;
            }
        }
        return out;
    }

    /** Keeps the points at even positions and the last one. */
    static void thin(List<List<Number>> h) {
        List<Number> last = h.get(h.size() - 1);
        List<List<Number>> kept = new ArrayList<>(h.size() / 2 + 1);
        for (int i = 0; i < h.size() - 1; i += 2) {
            kept.add(h.get(i));
        }
        kept.add(last);
        h.clear();
        h.addAll(kept);
    }

    private static Double finite(Double v) {
        return v == null || v.isNaN() || v.isInfinite() ? null : v;
    }
}
