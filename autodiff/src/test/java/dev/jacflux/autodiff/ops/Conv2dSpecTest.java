package dev.jacflux.autodiff.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.autodiff.AutodiffException;
import org.junit.jupiter.api.Test;

/** Conv2dSpec and Pool2dSpec: factories, validation and output sizes (PyTorch's formula). */
class Conv2dSpecTest {

    @Test
    void defaultAndFactory() {
        assertEquals(new Conv2dSpec(1, 1, 0, 0, 1, 1), Conv2dSpec.DEFAULT);
        Conv2dSpec s = Conv2dSpec.of(new int[] {2, 3}, new int[] {1, 0}, new int[] {1, 2});
        assertEquals(new Conv2dSpec(2, 3, 1, 0, 1, 2), s);
        assertEquals("stride (2, 3), padding (1, 0), dilation (1, 2)", s.toString());
    }

    @Test
    void outputSizeFollowsPyTorch() {
        // torch: floor((H + 2p - d(k-1) - 1) / s) + 1
        assertArrayEquals(new long[] {30, 30}, Conv2dSpec.DEFAULT.outputSize("t", 32, 32, 3, 3));
        assertArrayEquals(new long[] {16, 32}, Conv2dSpec.of(new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 1}).outputSize("t", 32, 32, 3, 3));
        assertArrayEquals(new long[] {3, 2}, new Conv2dSpec(2, 2, 1, 1, 2, 2).outputSize("t", 5, 6, 2, 3));
        assertArrayEquals(new long[] {1, 1}, Conv2dSpec.DEFAULT.outputSize("t", 32, 32, 32, 32));
        assertArrayEquals(new long[] {4, 3}, new Conv2dSpec(3, 2, 2, 1, 1, 3).outputSize("t", 8, 7, 2, 2));
    }

    @Test
    void validation() {
        assertMessage(() -> new Conv2dSpec(0, 1, 0, 0, 1, 1), "conv2d spec: stride must be positive, got (0, 1)");
        assertMessage(() -> new Conv2dSpec(1, 1, 0, 0, 1, -1), "conv2d spec: dilation must be positive, got (1, -1)");
        assertMessage(() -> new Conv2dSpec(1, 1, -1, 0, 1, 1), "conv2d spec: padding must be non-negative, got (-1, 0)");
        assertMessage(() -> Conv2dSpec.of(new int[] {1}, new int[] {0, 0}, new int[] {1, 1}), "stride must be an int[2]");
        assertMessage(() -> Conv2dSpec.of(new int[] {1, 1}, null, new int[] {1, 1}), "padding must be an int[2] {height, width}, got null");
    }

    @Test
    void emptyOutputNamesInputKernelAndSpec() {
        Conv2dSpec s = new Conv2dSpec(1, 1, 1, 0, 2, 1);
        AutodiffException e = assertThrows(AutodiffException.class, () -> s.outputSize("conv2d", 2, 6, 3, 3));
        assertEquals("conv2d: output would be empty: input 2 x 6 (padded 4 x 6) is smaller than the kernel 3 x 3"
                + " (dilated 5 x 3) with stride (1, 1), padding (1, 0), dilation (2, 1)", e.getMessage());
        assertMessage(() -> s.outputSize("conv2d", 4, 4, 0, 3), "conv2d: kernel size must be positive, got 0 x 3");
    }

    @Test
    void poolSpec() {
        Pool2dSpec k2 = Pool2dSpec.of(new int[] {2, 3});
        assertEquals(new Pool2dSpec(2, 3, 2, 3, 0, 0, 1, 1), k2);
        assertEquals(new Conv2dSpec(2, 3, 0, 0, 1, 1), k2.conv());
        assertEquals(6, k2.windowSize());
        Pool2dSpec q = Pool2dSpec.of(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1});
        assertArrayEquals(new long[] {56, 56}, q.outputSize("max_pool2d", 112, 112));
        assertEquals(new Pool2dSpec(3, 3, 2, 2, 1, 1, 1, 1), q);
        assertEquals(new Pool2dSpec(2, 2, 1, 1, 0, 1, 2, 2),
                Pool2dSpec.of(new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 1}, new int[] {2, 2}));
        assertMessage(() -> Pool2dSpec.of(new int[] {0, 2}), "pool2d spec: kernel size must be positive, got (0, 2)");
        assertMessage(() -> Pool2dSpec.of(new int[] {2, 2}, new int[] {0, 1}, new int[] {0, 0}), "pool2d spec: stride must be positive");
        assertMessage(() -> Pool2dSpec.of(new int[] {2, 2}, new int[] {1, 1}, new int[] {-1, 0}), "pool2d spec: padding must be non-negative");
        assertMessage(() -> Pool2dSpec.of(new int[] {3, 2}, new int[] {1, 1}, new int[] {1, 2}),
                "pool2d spec: padding (1, 2) must be at most half the kernel (3, 2)");
        assertMessage(() -> Pool2dSpec.of(new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 0}),
                "pool2d spec: dilation must be positive");
        assertMessage(() -> Pool2dSpec.of(new int[] {2, 2, 2}), "pool2d spec: kernel must be an int[2]");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable ex, String expected) {
        AutodiffException e = assertThrows(AutodiffException.class, ex);
        assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage());
    }
}
