package dev.jacflux.bench;

/**
 * Thrown when a method's result differs from the reference method's by more than the tolerance
 * (or is not finite): the timings would not compare like with like. Carries the full report so the
 * table can still be printed.
 *
 * <pre>{@code
 * try {
 *     BenchmarkSuite.run("hessian", options);
 * } catch (DisagreementException e) {
 *     System.err.println(e.getMessage());
 *     System.err.println(e.report().toTable());
 * }
 * }</pre>
 */
public final class DisagreementException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient CaseReport report;

    /** A disagreement found in {@code report}, described by {@code message}. */
    public DisagreementException(String message, CaseReport report) {
        super(message);
        this.report = report;
    }

    /** The report of the case, with every method's figures and differences. */
    public CaseReport report() {
        return report;
    }
}
