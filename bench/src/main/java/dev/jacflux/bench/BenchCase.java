package dev.jacflux.bench;

import java.util.List;

/**
 * One benchmark case of {@code BENCHMARKS.md}: a name, what it computes, and its groups of methods
 * (built with seeded random float32 data of the requested {@link Size}).
 *
 * <pre>{@code
 * BenchCase c = BenchmarkSuite.caseNamed("full-jac");
 * List<MethodGroup> groups = c.groups(BenchOptions.defaults().withSize(Size.TINY));
 * }</pre>
 */
public interface BenchCase {

    /** The case name, e.g. {@code conv-jacobian}. */
    String name();

    /** One line saying what is computed, at the given size. */
    String description(Size size);

    /** The method groups, with their data; methods excluded by the options are left out. */
    List<MethodGroup> groups(BenchOptions options);
}
