package dev.jacflux.autodiff.engine;

import dev.jacflux.autodiff.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the recorded graph behind some tensors. The graph itself is immutable; this class only
 * orders it.
 *
 * <pre>{@code
 * List<Tensor> order = Graph.topologicalOrder(List.of(loss)); // inputs before the ops using them
 * }</pre>
 */
public final class Graph {
    private Graph() {
    }

    /**
     * All tracked tensors reachable from {@code outputs} (recorded results and watched leaves), each
     * listed after all of its tracked inputs. Iterative, so deep graphs do not overflow the stack.
     */
    public static List<Tensor> topologicalOrder(List<Tensor> outputs) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> done = new HashSet<>();
        Set<Tensor> onStack = new HashSet<>();
        Deque<Object[]> stack = new ArrayDeque<>();
        for (Tensor root : outputs) {
            if (!root.isTracked() || done.contains(root)) {
                continue;
            }
            stack.push(new Object[] {root, 0});
            onStack.add(root);
            while (!stack.isEmpty()) {
                Object[] frame = stack.peek();
                Tensor t = (Tensor) frame[0];
                int next = (Integer) frame[1];
                List<Tensor> inputs = t.op() == null ? List.of() : t.op().inputs();
                boolean pushed = false;
                while (next < inputs.size()) {
                    Tensor in = inputs.get(next++);
                    if (in.isTracked() && !done.contains(in) && !onStack.contains(in)) {
                        frame[1] = next;
                        stack.push(new Object[] {in, 0});
                        onStack.add(in);
                        pushed = true;
                        break;
                    }
                }
                if (!pushed) {
                    stack.pop();
                    onStack.remove(t);
                    done.add(t);
                    order.add(t);
                }
            }
        }
        return order;
    }
}
