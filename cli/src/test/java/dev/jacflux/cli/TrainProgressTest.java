package dev.jacflux.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.training.StepResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The training progress bar: steps, loss and epsilon on one redrawn line; nothing when off. */
class TrainProgressTest {
    private static StepResult step(long t, double loss, double eps) {
        return new StepResult(t, t * 0.1, 10, loss, 0.5, null, eps, 1e-5, 1.0, 100, 0.1, "private");
    }

    @Test
    void showsStepsLossAndEpsilon() {
        StringWriter out = new StringWriter();
        TrainProgress p = new TrainProgress(new PrintWriter(out), 10);
        p.update(step(1, 1.25, 0.5));
        p.update(step(5, 0.75, 1.5));
        p.done();
        String last = out.toString().substring(out.toString().lastIndexOf('\r') + 1);
        assertTrue(last.startsWith("train [############............]  50%  5/10 steps  loss 0.7500  eps 1.500"), last);
        assertTrue(out.toString().endsWith(System.lineSeparator()), "done() ends the line");
    }

    @Test
    void withoutAStepLimitOrEpsilonItShowsWhatItKnows() {
        StringWriter out = new StringWriter();
        TrainProgress p = new TrainProgress(new PrintWriter(out), Long.MAX_VALUE);
        p.update(step(3, 0.5, Double.NaN));
        p.done();
        assertTrue(out.toString().contains("train 3 steps  loss 0.5000  "), out.toString());
        assertTrue(!out.toString().contains(" eps "), "no epsilon when not accounted: " + out);
    }
}
