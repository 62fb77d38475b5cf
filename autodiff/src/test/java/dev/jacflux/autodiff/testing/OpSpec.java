package dev.jacflux.autodiff.testing;

import dev.jacflux.autodiff.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * One row of the op-spec table: a function of some inputs (usually a single op, possibly with
 * broadcasting), the input shapes, and the domain each input is drawn from. One parameterized test
 * checks every row's VJP, JVP and second-order VJP against finite differences.
 *
 * @param name display name, e.g. {@code "add [3,4]+[4]"}
 * @param shapes input shapes
 * @param gens input domains (one per input)
 * @param fn the function under test
 * @param secondOrder whether to check the VJP's own derivative (false only for piecewise-linear ops
 *     whose second derivative is zero almost everywhere and already covered)
 */
public record OpSpec(String name, List<long[]> shapes, List<Gen> gens, Function<List<Tensor>, Tensor> fn, boolean secondOrder) {

    /** A spec whose inputs are all drawn from one domain. */
    public static OpSpec of(String name, Gen gen, Function<List<Tensor>, Tensor> fn, long[]... shapes) {
        List<Gen> gens = Arrays.stream(shapes).map(s -> gen).toList();
        return new OpSpec(name, List.of(shapes), gens, fn, true);
    }

    /** A spec with one domain per input. */
    public static OpSpec of(String name, List<Gen> gens, Function<List<Tensor>, Tensor> fn, long[]... shapes) {
        return new OpSpec(name, List.of(shapes), gens, fn, true);
    }

    /** Shorthand for a shape. */
    public static long[] s(long... dims) {
        return dims;
    }

    @Override
    public String toString() {
        return name;
    }
}
