package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.GenerationResult;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Chunked prefill: a long prompt is evaluated a budget of positions per step between the running sequences' decode
 * steps, so a stream already running keeps getting tokens meanwhile, and the long prompt's reply is bit for bit the
 * one it gets when its prompt is evaluated in one go.
 */
class ChunkedPrefillTest {
    /** What a job streamed, in order, and how it ended. */
    private static class Recorder implements Job.Listener {
        final List<String> pieces = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<GenerationResult> done = new CompletableFuture<>();

        @Override
        public void onText(String piece) {
            pieces.add(piece);
        }

        @Override
        public void onDone(GenerationResult result) {
            done.complete(result);
        }

        @Override
        public void onError(RuntimeException error) {
            done.completeExceptionally(error);
        }
    }

    /** Some 190 tokens of basalt-mini's vocabulary: three whole chunks and a part. */
    private static final String LONG = "Once upon a time there was a little girl who lived in a village near the forest. "
            + "Whenever she went out, the little girl wore a red riding cloak, so everyone in the village called her "
            + "Little Red Riding Hood. One morning, Little Red Riding Hood asked her mother if she could go to visit her "
            + "grandmother as it had been awhile since they had seen each other. That is a good idea, her mother said. "
            + "So they packed a nice basket for Little Red Riding Hood to take to her grandmother. When the basket was "
            + "ready, the little girl put on her red cloak and kissed her mother goodbye.";

    @Test
    void aLongPromptIsEvaluatedBetweenTheRunningStreamsStepsAndGetsItsOneGoReply() throws Exception {
        try (LanguageModel model = Models.load(TestServer.MODEL)) {
            int context = Math.min(TestServer.CONTEXT, model.contextLength());
            int[] shortPrompt = model.tokenizer().encode("The cat sat", true, true);
            int[] longPrompt = model.tokenizer().encode(LONG, true, true);
            assertThat(longPrompt.length).as("the long prompt spans several chunks")
                    .isGreaterThan(2 * Scheduler.PREFIX_CHUNK).isLessThan(context - 30);

            String alone;
            try (Scheduler oneGo = new Scheduler("one-go", model, context, 4, 4, null, Integer.MAX_VALUE)) {
                Recorder r = new Recorder();
                oneGo.submit(new Job(longPrompt, GenerationParams.greedy(24), r));
                r.done.get(60, TimeUnit.SECONDS);
                alone = String.join("", r.pieces);
            }

            try (Scheduler chunked = new Scheduler("chunked", model, context, 4, 4, null, Scheduler.PREFIX_CHUNK)) {
                Recorder running = new Recorder();
                chunked.submit(new Job(shortPrompt, GenerationParams.greedy(40), running));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (running.pieces.size() < 2 && System.nanoTime() < deadline) Thread.sleep(1);
                assertThat(running.pieces).as("the first stream is running").hasSizeGreaterThanOrEqualTo(2);

                int[] seenAtFirstPiece = {-1};
                int before = running.pieces.size();
                Recorder late = new Recorder() {
                    @Override
                    public void onText(String piece) {
                        if (pieces.isEmpty()) seenAtFirstPiece[0] = running.pieces.size();
                        super.onText(piece);
                    }
                };
                chunked.submit(new Job(longPrompt, GenerationParams.greedy(24), late));
                late.done.get(60, TimeUnit.SECONDS);
                running.done.get(60, TimeUnit.SECONDS);

                assertThat(String.join("", late.pieces)).as("the chunked prompt's reply").isEqualTo(alone);
                int chunks = (longPrompt.length + Scheduler.PREFIX_CHUNK - 1) / Scheduler.PREFIX_CHUNK;
                assertThat(seenAtFirstPiece[0] - before)
                        .as("tokens the running stream got while %d chunks of the long prompt were evaluated", chunks)
                        .isGreaterThanOrEqualTo(chunks - 1);
            }
        }
    }

    private static final String[] TEXTS = {"Once upon a time there was a dog", "The little girl went to the park with her mother",
            "Tom and Sue found a big red ball", "One day, a cat saw a bird in a tree", "Lily liked to bake cakes"};

    /**
     * A model whose first prompt evaluation waits until {@link #release}, so that jobs submitted meanwhile are admitted
     * in one step; it records how many pieces each {@link LanguageModel#prefillBatch} got.
     */
    private static final class HeldModel {
        final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
        final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        final LanguageModel model;

        HeldModel(LanguageModel inner) {
            model = (LanguageModel) java.lang.reflect.Proxy.newProxyInstance(LanguageModel.class.getClassLoader(),
                    new Class<?>[] {LanguageModel.class}, (proxy, method, args) -> {
                        if (method.getName().startsWith("prefill")) {
                            entered.countDown();
                            released.await(30, TimeUnit.SECONDS);
                        }
                        if (method.getName().equals("prefillBatch")) batchSizes.add(((Object[]) args[0]).length);
                        try {
                            return method.invoke(inner, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        /** Submits a first job and waits until its prompt evaluation is held. */
        Recorder hold(Scheduler scheduler, LanguageModel inner) throws InterruptedException {
            Recorder first = new Recorder();
            scheduler.submit(new Job(inner.tokenizer().encode("Hello", true, true), GenerationParams.greedy(4), first));
            assertThat(entered.await(30, TimeUnit.SECONDS)).as("the first prompt's evaluation began").isTrue();
            return first;
        }

        void release() {
            released.countDown();
        }
    }

    /** Each of {@link #TEXTS}' replies served alone, 16 greedy tokens. */
    private static List<String> aloneReplies(LanguageModel model, int context) throws Exception {
        List<String> alone = new ArrayList<>();
        try (Scheduler one = new Scheduler("alone", model, context, 4, 1)) {
            for (String text : TEXTS) {
                Recorder r = new Recorder();
                one.submit(new Job(model.tokenizer().encode(text, true, true), GenerationParams.greedy(16), r));
                r.done.get(60, TimeUnit.SECONDS);
                alone.add(String.join("", r.pieces));
            }
        }
        return alone;
    }

    /**
     * Prompts that wait together are evaluated together: one {@link LanguageModel#prefillBatch} of all their pieces
     * (each weight read once for them), and each reply is still the one the prompt gets served alone.
     */
    @Test
    void promptsWaitingTogetherAreEvaluatedInOneBatchAndGetTheirAloneReplies() throws Exception {
        try (LanguageModel model = Models.load(TestServer.MODEL)) {
            int context = Math.min(TestServer.CONTEXT, model.contextLength());
            List<String> alone = aloneReplies(model, context);
            HeldModel held = new HeldModel(model);
            try (Scheduler together = new Scheduler("together", held.model, context, 8, 8)) {
                Recorder first = held.hold(together, model);
                List<Recorder> recorders = new ArrayList<>();
                for (String text : TEXTS) {
                    Recorder r = new Recorder();
                    recorders.add(r);
                    together.submit(new Job(model.tokenizer().encode(text, true, true), GenerationParams.greedy(16), r));
                }
                held.release();
                first.done.get(60, TimeUnit.SECONDS);
                for (int i = 0; i < TEXTS.length; i++) {
                    recorders.get(i).done.get(60, TimeUnit.SECONDS);
                    assertThat(String.join("", recorders.get(i).pieces)).as("reply to \"%s\"", TEXTS[i]).isEqualTo(alone.get(i));
                }
            }
            assertThat(held.batchSizes).as("prompts per batched prefill").containsExactly(TEXTS.length);
        }
    }

    /**
     * A prompt the model refuses (a token outside its vocabulary) in a batch: the batch is refused before anything
     * runs, each piece is then evaluated alone, the bad job fails with the model's message and the others get their
     * alone replies.
     */
    @Test
    void aBadPromptInABatchFailsOnlyItsOwnJob() throws Exception {
        try (LanguageModel model = Models.load(TestServer.MODEL)) {
            int context = Math.min(TestServer.CONTEXT, model.contextLength());
            List<String> alone = aloneReplies(model, context);
            HeldModel held = new HeldModel(model);
            try (Scheduler together = new Scheduler("bad", held.model, context, 8, 8)) {
                Recorder first = held.hold(together, model);
                List<Recorder> recorders = new ArrayList<>();
                for (int i = 0; i < TEXTS.length; i++) {
                    int[] prompt = model.tokenizer().encode(TEXTS[i], true, true);
                    if (i == 2) prompt[prompt.length - 1] = model.vocabularySize();
                    Recorder r = new Recorder();
                    recorders.add(r);
                    together.submit(new Job(prompt, GenerationParams.greedy(16), r));
                }
                held.release();
                first.done.get(60, TimeUnit.SECONDS);
                for (int i = 0; i < TEXTS.length; i++) {
                    Recorder r = recorders.get(i);
                    if (i == 2) {
                        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.done.get(60, TimeUnit.SECONDS))
                                .hasRootCauseMessage("token id " + model.vocabularySize() + " is outside the vocabulary of "
                                        + model.vocabularySize());
                        assertThat(r.pieces).isEmpty();
                    } else {
                        r.done.get(60, TimeUnit.SECONDS);
                        assertThat(String.join("", r.pieces)).as("reply to \"%s\"", TEXTS[i]).isEqualTo(alone.get(i));
                    }
                }
                assertThat(together.idle()).isTrue();
            }
            assertThat(held.batchSizes).as("the batch was tried").containsExactly(TEXTS.length);
        }
    }

    @Test
    void aJobCancelledWhileItsPromptIsEvaluatedEndsAndTheSchedulerServesOn() throws Exception {
        try (LanguageModel model = Models.load(TestServer.MODEL)) {
            int context = Math.min(TestServer.CONTEXT, model.contextLength());
            int[] longPrompt = model.tokenizer().encode(LONG, true, true);
            try (Scheduler chunked = new Scheduler("cancel", model, context, 4, 4, null, 1)) {
                java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
                Recorder cancelled = new Recorder();
                chunked.submit(new Job(longPrompt, GenerationParams.greedy(24), cancelled, null, gone, -1));
                // one chunk a step, some milliseconds each: the client goes away once the job has left the queue,
                // while its prompt is being evaluated
                while (chunked.queued() > 0) Thread.onSpinWait();
                gone.set(true);
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> cancelled.done.get(60, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(java.util.concurrent.CancellationException.class);
                assertThat(cancelled.pieces).as("nothing streamed to a client that went away").isEmpty();

                Recorder next = new Recorder();
                chunked.submit(new Job(model.tokenizer().encode("The cat sat", true, true), GenerationParams.greedy(8), next));
                assertThat(next.done.get(60, TimeUnit.SECONDS).text()).isNotEmpty();
                assertThat(chunked.idle()).isTrue();
            }
        }
    }

    @Test
    void aBudgetBelowOneIsRefused() throws Exception {
        try (LanguageModel model = Models.load(TestServer.MODEL)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Scheduler("x", model, 64, 1, 1, null, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefill budget 0");
        }
    }
}
