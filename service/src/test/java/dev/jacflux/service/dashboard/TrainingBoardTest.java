package dev.jacflux.service.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jacflux.service.trainings.TrainingState;
import dev.jacflux.service.trainings.TrainingUpdate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the dashboard keeps of the training updates. */
class TrainingBoardTest {

    static TrainingUpdate update(String id, TrainingState state, long step, Double loss, Double epsilon) {
        return new TrainingUpdate(id, state, "m", true, step, 100L, loss, 0.25, epsilon, 3.0, 1e-5, 1.0, 1.1, 900.0, null, "private",
                Instant.EPOCH);
    }

    @Test
    void stepsBecomeHistoryPointsAndTicksCarryOnlyWhatChanged() {
        TrainingBoard b = new TrainingBoard();
        b.accept(update("a", TrainingState.RUNNING, 0, null, null));
        b.accept(update("a", TrainingState.RUNNING, 1, 2.3, 0.1));
        b.accept(update("a", TrainingState.RUNNING, 2, 2.1, Double.NaN));
        b.accept(update("b", TrainingState.RUNNING, 1, 1.0, 0.2));
        List<TrainingPanel> changed = b.drainChanged();
        assertEquals(2, changed.size());
        assertEquals("a", changed.get(0).latest().id());
        assertEquals(List.of(Arrays.asList(1L, 2.3, 0.25, 0.1), Arrays.asList(2L, 2.1, 0.25, null)), changed.get(0).history(),
                "step 0 is no point; NaN becomes null");
        assertThat(b.drainChanged()).isEmpty();

        b.accept(update("a", TrainingState.COMPLETED, 2, 2.1, 0.3));   // a change of state, no new step
        changed = b.drainChanged();
        assertEquals(1, changed.size());
        assertEquals(TrainingState.COMPLETED, changed.get(0).latest().state());
        assertThat(changed.get(0).history()).isEmpty();
        assertEquals(2, b.all().get(0).history().size(), "the snapshot has the whole history");
        assertThat(b.drainChanged()).as("a snapshot takes nothing from the ticks").isEmpty();
    }

    @Test
    void longHistoriesAreThinnedKeepingFirstAndLast() {
        TrainingBoard b = new TrainingBoard();
        int steps = 5 * TrainingBoard.MAX_HISTORY;
        for (int s = 1; s <= steps; s++) {
            b.accept(update("a", TrainingState.RUNNING, s, 1.0 / s, null));
        }
        List<List<Number>> h = b.all().get(0).history();
        assertThat(h.size()).isBetween(TrainingBoard.MAX_HISTORY / 2, TrainingBoard.MAX_HISTORY);
        assertEquals(1L, h.get(0).get(0));
        assertEquals((long) steps, h.get(h.size() - 1).get(0));
        for (int i = 1; i < h.size(); i++) {
            assertThat((Long) h.get(i).get(0)).isGreaterThan((Long) h.get(i - 1).get(0));
        }
        assertNull(h.get(0).get(3));
    }

    @Test
    void onlyTheMostRecentlyUpdatedTrainingsAreKept() {
        TrainingBoard b = new TrainingBoard();
        for (int i = 0; i < TrainingBoard.MAX_TRAININGS + 3; i++) {
            b.accept(update("t" + i, TrainingState.RUNNING, 1, 1.0, 0.1));
        }
        // kept: t3 .. t10; t3 is updated again, so the next new training drops t4, the least recently updated
        b.accept(update("t3", TrainingState.RUNNING, 2, 1.0, 0.1));
        b.accept(update("t11", TrainingState.RUNNING, 1, 1.0, 0.1));
        List<String> ids = b.all().stream().map(p -> p.latest().id()).toList();
        assertEquals(TrainingBoard.MAX_TRAININGS, ids.size());
        assertThat(ids).contains("t3", "t5", "t10", "t11").doesNotContain("t0", "t1", "t2", "t4");
    }
}
