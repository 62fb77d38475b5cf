package dev.jacflux.pipeline;

import java.util.Arrays;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A small pool of result arrays keyed by shape and dtype. Allocating (and first touching) a fresh
 * 200 MB result costs more than writing it (see BENCHMARKS.md), so results released by consumers
 * are handed to later batches of the same shape. At most {@code capacity} arrays per key are kept.
 *
 * <pre>{@code
 * ResultBuffers pool = new ResultBuffers(2);
 * INDArray r = pool.acquire(new long[]{128, 128, 3072}, DataType.FLOAT);
 * pool.release(r);
 * }</pre>
 */
public final class ResultBuffers {
    private record Key(String shape, DataType dtype) {
    }

    private final int capacity;
    private final Map<Key, Queue<INDArray>> free = new ConcurrentHashMap<>();
    private final Map<Key, AtomicInteger> sizes = new ConcurrentHashMap<>();

    /** A pool keeping at most {@code capacity} free arrays per shape and dtype (0 disables pooling). */
    public ResultBuffers(int capacity) {
        this.capacity = Math.max(0, capacity);
    }

    private static Key key(long[] shape, DataType dtype) {
        return new Key(Arrays.toString(shape), dtype);
    }

    /** A free array of this shape and dtype, or a new uninitialised one. */
    public INDArray acquire(long[] shape, DataType dtype) {
        Key k = key(shape, dtype);
        Queue<INDArray> q = free.get(k);
        INDArray a = q == null ? null : q.poll();
        if (a != null) {
            sizes.get(k).decrementAndGet();
            return a;
        }
        return Nd4j.createUninitialized(dtype, shape);
    }

    /** Offers an array back to the pool (dropped if the pool for its key is full). */
    public void release(INDArray array) {
        if (capacity == 0 || array == null) {
            return;
        }
        Key k = key(array.shape(), array.dataType());
        AtomicInteger size = sizes.computeIfAbsent(k, x -> new AtomicInteger());
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return;
        }
        free.computeIfAbsent(k, x -> new ConcurrentLinkedQueue<>()).offer(array);
    }

    /** Number of free arrays currently pooled (all keys). */
    public int pooled() {
        return sizes.values().stream().mapToInt(AtomicInteger::get).sum();
    }
}
