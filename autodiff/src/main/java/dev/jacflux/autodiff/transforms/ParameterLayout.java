package dev.jacflux.autodiff.transforms;

import dev.jacflux.autodiff.AutodiffException;
import dev.jacflux.autodiff.Shapes;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each parameter's entries sit in a flattened parameter vector of length {@code M}: the
 * parameters in order, each flattened row-major. This fixes the columns of the {@code N x M}
 * per-sample gradient matrix.
 *
 * <pre>{@code
 * ParameterLayout layout = ParameterLayout.of(List.of("fc.weight", "fc.bias"), List.of(new long[]{10, 784}, new long[]{10}));
 * layout.size();        // 7850
 * layout.offset(1);     // 7840
 * }</pre>
 *
 * @param names parameter names (for messages and per-parameter views)
 * @param shapes parameter shapes
 * @param offsets start column of each parameter
 * @param size total number of entries {@code M}
 */
public record ParameterLayout(List<String> names, List<long[]> shapes, long[] offsets, long size) {

    /** Lays out parameters one after another. */
    public static ParameterLayout of(List<String> names, List<long[]> shapes) {
        if (names.size() != shapes.size()) {
            throw new AutodiffException("parameter layout: " + names.size() + " names but " + shapes.size() + " shapes");
        }
        long[] offsets = new long[shapes.size()];
        long total = 0;
        for (int i = 0; i < shapes.size(); i++) {
            offsets[i] = total;
            total += Shapes.numel(shapes.get(i));
        }
        return new ParameterLayout(List.copyOf(names), List.copyOf(new ArrayList<>(shapes)), offsets, total);
    }

    /** Number of parameters. */
    public int count() {
        return names.size();
    }

    /** Start column of parameter {@code i}. */
    public long offset(int i) {
        return offsets[i];
    }

    /** Number of entries of parameter {@code i}. */
    public long numel(int i) {
        return Shapes.numel(shapes.get(i));
    }

    /** Index of the parameter with the given name. */
    public int indexOf(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new AutodiffException("no parameter named '" + name + "'; parameters are " + names);
        }
        return i;
    }
}
