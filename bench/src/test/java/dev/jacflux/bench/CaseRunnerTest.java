package dev.jacflux.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The runner measures every method and fails loudly when methods disagree. */
class CaseRunnerTest {
    private static final BenchOptions QUICK = BenchOptions.defaults().withSize(Size.TINY).withWarmups(1).withRuns(3).withGcBetweenRuns(false);

    private static BenchCase fake(List<BenchMethod> methods) {
        return new BenchCase() {
            @Override
            public String name() {
                return "fake";
            }

            @Override
            public String description(Size size) {
                return "a fake case";
            }

            @Override
            public List<MethodGroup> groups(BenchOptions options) {
                return List.of(new MethodGroup("", "(2, 3)", methods));
            }
        };
    }

    private static BenchMethod constant(String name, INDArray value) {
        return BenchMethod.of(name, () -> () -> value);
    }

    @Test
    void agreeingMethodsAreMeasured() {
        INDArray ones = Nd4j.ones(DataType.FLOAT, 2, 3);
        int[] calls = new int[1];
        BenchMethod counting = BenchMethod.of("loop", () -> () -> {
            calls[0]++;
            return ones.add(1e-6);
        });
        CaseReport r = CaseRunner.run(fake(List.of(constant("jacflux", ones), counting, constant("floor", ones.reshape(6)))), QUICK);
        assertEquals(5, calls[0], "1 warm-up + 3 timed runs + 1 run for the peak memory");
        assertEquals(3, r.results().size());
        assertEquals(3, r.result("loop").runs());
        assertEquals(1e-6, r.result("loop").maxAbsDiff(), 1e-7);
        assertEquals("jacflux", r.result("floor").comparedTo());
        assertEquals(0, r.result("floor").maxAbsDiff());
    }

    @Test
    void disagreementFailsLoudlyWithTheReport() {
        INDArray ones = Nd4j.ones(DataType.FLOAT, 2, 3);
        DisagreementException e = assertThrows(DisagreementException.class,
                () -> CaseRunner.run(fake(List.of(constant("jacflux", ones), constant("floor", ones.mul(1.01)))), QUICK));
        assertTrue(e.getMessage().contains("floor differs from jacflux") && e.getMessage().contains("tolerance"), e.getMessage());
        assertEquals(2, e.report().results().size());
        assertEquals(0.01, e.report().result("floor").maxRelDiff(), 1e-6);
    }

    @Test
    void nonFiniteResultsFail() {
        INDArray ones = Nd4j.ones(DataType.FLOAT, 2, 3);
        INDArray nan = ones.dup();
        nan.putScalar(1, 2, Float.NaN);
        DisagreementException e = assertThrows(DisagreementException.class,
                () -> CaseRunner.run(fake(List.of(constant("jacflux", ones), constant("loop", nan))), QUICK));
        assertTrue(e.getMessage().contains("loop has 1 non-finite values"), e.getMessage());
    }

    @Test
    void wrongSizeAndFailingMethodsNameTheMethod() {
        INDArray ones = Nd4j.ones(DataType.FLOAT, 2, 3);
        BenchmarkException size = assertThrows(BenchmarkException.class,
                () -> CaseRunner.run(fake(List.of(constant("jacflux", ones), constant("floor", Nd4j.ones(DataType.FLOAT, 5)))), QUICK));
        assertTrue(size.getMessage().contains("floor gives 5 elements"), size.getMessage());
        BenchmarkException boom = assertThrows(BenchmarkException.class, () -> CaseRunner.run(fake(List.of(constant("jacflux", ones),
                BenchMethod.of("samediff", () -> () -> {
                    throw new IllegalStateException("boom");
                }))), QUICK));
        assertTrue(boom.getMessage().contains("case fake, method samediff failed") && boom.getMessage().contains("boom"), boom.getMessage());
    }

    @Test
    void closesEveryPreparedMethod() {
        INDArray ones = Nd4j.ones(DataType.FLOAT, 2, 3);
        int[] closed = new int[1];
        BenchMethod closing = BenchMethod.of("pipeline", () -> new BenchMethod.Prepared() {
            @Override
            public INDArray run() {
                return ones;
            }

            @Override
            public void close() {
                closed[0]++;
            }
        });
        CaseRunner.run(fake(List.of(closing, BenchMethod.of("floor", closing.preparer()))), QUICK);
        assertEquals(2, closed[0], "the reference is closed after its group, the other at once");
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.defaults().withRuns(0));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.defaults().withWarmups(-1));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.defaults().withRelativeTolerance(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Size.parse("huge"));
        BenchmarkException unknown = assertThrows(BenchmarkException.class, () -> BenchmarkSuite.run("nope", QUICK));
        assertTrue(unknown.getMessage().contains("conv-jacobian, mlp-grads, scaling, full-jac, hessian"), unknown.getMessage());
    }
}
