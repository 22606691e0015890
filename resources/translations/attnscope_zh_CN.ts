<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>MainWindow</name>
    <message>
        <source>AttnScope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Input:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text run through the model on every keystroke</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type text for the model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Target:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encoder-decoder models: leave empty to generate greedily, or type a target to teacher-force it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(empty: generate)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sentence &amp;B:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sentence-pair models (BERT, RoBERTa): an optional second segment, run as [CLS] A [SEP] B [SEP] with token type 1 for B (its chips are tinted green)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(optional second sentence)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decoder models: greedily continue the prompt and show attention over the continuation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokenization of the input. Red chips are unknown tokens (mapped to the unknown token); grey chips are special tokens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Stack:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention block: encoder self-attention, decoder self-attention or cross-attention</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Layer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer (Ctrl+PgUp / Ctrl+PgDown)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Head:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Head (Ctrl+[ / Ctrl+])</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Mean of heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the mean of the layer&apos;s heads (Ctrl+M)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Colour map:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>viridis, magma and cividis are perceptually uniform</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lo&amp;g scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Colour by log10 of the weight (weights below 0.001 share the lowest colour)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xamples (click to use):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Examples from the model file: click one to run it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-k predictions with their probabilities (softmax of the logits)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Probability</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open Model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+O</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a model JSON file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reload Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>F5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the current model file again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Session…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Shift+O</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a saved session (lesson): model, inputs, selected head, ablations and view settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sa&amp;ve Session…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+S</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the model, inputs, selected head, ablations and view settings as a session file, e.g. to prepare a lesson</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export Image…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the current view as PNG, SVG, PDF or JPG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export All Heads (&amp;Grid)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Shift+E</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save every layer × head of the stack as one grid image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Each &amp;Head…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save one heatmap file per head into a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export &amp;Data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Shift+S</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the current attention matrix as CSV or JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Q</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Shift+C</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the current view to the clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Next Head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Previous Head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+[</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next &amp;Layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+PgDown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous La&amp;yer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+PgUp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Mean of Heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+M</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Focus Input</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About AttnScope</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>&lt;i&gt;… and %n more token(s)&lt;/i&gt;</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ModelPanel</name>
    <message>
        <source>RMSNorm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LayerNorm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pre-%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>post-%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sinusoidal positions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>learned positions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>θ %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 % of d_head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>linear scaling ×%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rotary (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SwiGLU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>gated %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 MLP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>parallel residual</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 query / 1 key-value head (MQA)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 query / %2 key-value heads (GQA)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 encoder, %2 decoder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 query, %2 key-value (d_k = %3): %4 query heads per key-value head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (d_k = %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>d_model / d_ff</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Positions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>max_len %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>characters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>token ids (#N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>words</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>byte-level BPE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SentencePiece BPE (▁ for spaces, byte fallback)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WordPiece</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> source, %1 target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ViewPage</name>
    <message>
        <source> · ⊘ switched off (its output is not used)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · ⊘ %1 of its heads switched off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · ⊘ ablated model (1 head off)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · ⊘ ablated model (%1 heads off)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::AblationView</name>
    <message>
        <source>Zero ablation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean ablation over a reference input</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zero: the head&apos;s output A·V is replaced by 0. Mean: by its mean over the positions of the reference input.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reference input (empty: the current input)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore all heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ablate by:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1-attention</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importance: log-probability drop of the model&apos;s own prediction when the head alone is zeroed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click a head to switch it off (crossed out); every view, the output and the top-k predictions follow at once. Click again to switch it back on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n head(s) switched off (crossed out). Every view, the output and the top-k predictions show the ablated model; the importance map stays that of the intact model.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>A&amp;blation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Head A&amp;blation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Head importance&lt;/b&gt; (Michel et al. 2019): how much the log-probability of the intact model&apos;s own prediction drops when that head alone is zeroed. Click a head to switch it off in every view; switched-off heads are crossed out here and marked ⊘ in the head view&apos;s title, the overview, the alignment view and the status line.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::AlignmentView</name>
    <message>
        <source>No attention for this stack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Long input: recomputing the selected head…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cross-attention · layer %1: source (left) ← decoder reads → produces (right)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1-attention · layer %2: keys (left) ← queries (right)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The head could not be recomputed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>head %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Alignment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;Token-to-token lines: keys on the left, queries on the right, each line as thick and dark as the weight. Decoder and cross-attention queries are labelled &lt;i&gt;reads→produces&lt;/i&gt;, as in the head view: the decoder input at that position (row 0 reads &amp;lt;s&amp;gt;) and the token it produces. &lt;b&gt;Mean of heads&lt;/b&gt; draws the layer&apos;s mean (1/H) Σ A&lt;sub&gt;h&lt;/sub&gt; as one grey set; click a head&apos;s chip to add its lines in its colour, the mean&apos;s chip to hide or show the mean.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::CensusView</name>
    <message>
        <source>Export CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save every statistic of every head as CSV (one row per head)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Scale:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>per map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>shared</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>per map: each map&apos;s colours span its own min … max (the largest value is always the brightest, even if it is small).
shared: one range per statistic for every stack (shares and scores 0 … 1, entropy and distance 0 … their largest value), so colours can be compared.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entropy: H_i = −Σ_j A_ij ln A_ij of each query&apos;s row, averaged over the queries, in nats. 0: all weight on one key; ln n: spread evenly over n keys.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean distance: Σ_j A_ij · |i − j| averaged over the queries: how many tokens away a query looks on average (0: at itself).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous-token score: mean over queries i ≥ 1 of A_i,i℡, the weight on the token just before. 1: always attends to the previous token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First-token share: mean over the queries of the weight on key 0 (often a &apos;resting place&apos; for heads with nothing to do).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Special-token share: mean over the queries of the total weight on special tokens (&lt;s&gt;, &lt;/s&gt;, [CLS], [SEP], …).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Induction score: n random tokens repeated twice; for each query i in the second copy, the weight on key i − n + 1, the token that followed the earlier occurrence of the current one; averaged. 1: a perfect induction head; a previous-token head scores about 0.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Head census: %1-attention, every layer × head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Head census</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Shared scale&lt;/b&gt;: shares and scores on 0 … 1, entropy and distance on 0 … their largest value in any stack, so colours compare between maps and stacks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Per-map scale&lt;/b&gt;: each map&apos;s colours span its own range (under the map), so colours do not compare between maps.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rows are layers, columns heads. %1 Statistics of this input&apos;s attention (induction: repeated random tokens); hover a map for its definition, click a head to open it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No census for this input.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Census</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Head &amp;Census</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;One statistic per head of the current input, as a layers × heads map per statistic. &lt;b&gt;Entropy&lt;/b&gt;: mean over queries of −Σ A ln A, in nats (ln n for a uniform row over n keys). &lt;b&gt;Distance&lt;/b&gt;: mean Σ A·|i − j|. &lt;b&gt;Previous token&lt;/b&gt;: mean of A[i, i−1]. &lt;b&gt;First token&lt;/b&gt;: mean weight on key 0. &lt;b&gt;Special tokens&lt;/b&gt;: mean weight on special tokens. &lt;b&gt;Induction&lt;/b&gt; (decoder models): on random tokens repeated twice, mean weight on the token after the earlier occurrence. &lt;b&gt;Scale&lt;/b&gt;: &lt;i&gt;per map&lt;/i&gt; colours each map over its own range; &lt;i&gt;shared&lt;/i&gt; gives each statistic one range for every stack (shares 0 … 1), so colours compare. Hover a map for its definition; click a head to open it.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::CompareView</name>
    <message>
        <source>A − B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Input &amp;B:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Second input to compare with the main input (A)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run through the same model, target and ablated heads as A; edit a word and compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>B = A</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the main input into B (B then follows A until you edit it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rows of the selected stack for A and B; tokens that differ are marked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;B could not be run:&lt;/b&gt; %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How much each head changed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a model and type an input (A) above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>B is empty: type a second input to compare with A.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type a second input B to compare with A (running…).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1-attention · layer %2 · mean of heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1-attention · layer %2 · head %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean of heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>head %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cross · </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>layer %1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>B: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;A&lt;/b&gt; (%1 rows): </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;B&lt;/b&gt; (%1 rows): </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;A&lt;/b&gt;: %1 rows, &lt;b&gt;B&lt;/b&gt;: %2 rows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; no row differs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; rows that differ: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;A&lt;/b&gt; keys: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;B&lt;/b&gt; keys: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Nothing to compare for this stack:&lt;/b&gt; A and B do not both hold its full attention weights.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Token sequences differ in length: showing side by side.&lt;/b&gt; A is %1 × %2, B is %3 × %4 (queries × keys); A − B needs the same positions. Change a word for one with as many tokens to see the difference.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How much each head changed: needs aligned token sequences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The per-head map compares A and B cell by cell, so it too needs sequences of equal length.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Cannot compare:&lt;/b&gt; %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each cell: one head&apos;s |A − B| averaged (left) or maximal (right) over its cells, in percentage points of attention (× 100). Click a head to show it above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A: %1 (recomputing…)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>B: %1 (recomputing…)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Long input:&lt;/b&gt; recomputing %1 for A and B…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Cannot compare:&lt;/b&gt; the head could not be recomputed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Token sequences differ in length: showing side by side.&lt;/b&gt; A is %1 × %2, B is %3 × %4 (queries × keys); A − B needs the same positions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each cell: one head&apos;s |A − B| averaged (left) or maximal (right) over its cells, in percentage points of attention (× 100) unless the panel&apos;s title says otherwise. Click a head to show it above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;The per-head map could not be computed:&lt;/b&gt; %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Long input: every head of A and B recomputed from the compact traces. </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Long input: computing the per-head map, %1 of %2 heads…&lt;/b&gt; Each head of A and B is recomputed from the compact trace in turn (n/a: not yet), while this tab is shown. </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A − B: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;A and B attend identically here&lt;/b&gt; (A − B = 0). Edit a word of B to compare.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;A − B&lt;/b&gt; (red: A attends more, blue: B more): max |A − B| = %1 at %2 → %3, mean |A − B| = %4 over %5 cells.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> Most changed head of this stack: &lt;b&gt;layer %1, head %2&lt;/b&gt; (mean |A − B| = %3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 × %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean |A − B|</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>max |A − B|</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How much each head changed from A to B: %1-attention, every layer × head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Co&amp;mpare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Co&amp;mpare Inputs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;Input A (the main input) against input B, typed here. Where their tokens align, the selected head&apos;s A, B and A − B (blue: less attention in A, red: more) and a layers × heads map of the mean |A − B| per head; otherwise A and B side by side.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::EntropyStrip</name>
    <message>
        <source>No attention to show yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entropy per query (nats) · %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>query %1 “%2”: entropy %3 nats (uniform over its %4 keys: %5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Entropy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Entropy Strip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Long input: recomputing the head…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;One bar per query of the selected head: the entropy −Σ_j A_ij ln A_ij of its row, in nats. 0 means all attention on one key; the dashed line is ln n, a uniform row over the n keys the query may see (a causal row i sees i + 1). Hover over a bar for its numbers.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::HeadGridView</name>
    <message>
        <source>colour: %1 … %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>H%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>L%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
layer %2, head %3: %4</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::HeatmapPlot</name>
    <message>
        <source>&amp;Head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Head View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;One head&apos;s attention A = softmax(QKᵀ/√d_k + M): row i (a query) holds how much position i attends to each key j, and sums to 1. Hover over a cell for its weight. In an encoder-decoder model, decoder and cross-attention rows are labelled &lt;i&gt;reads→produces&lt;/i&gt;: the decoder input at that position (shifted right, so row 0 reads &amp;lt;s&amp;gt;) and the token it produces. Masked cells (future keys under a causal mask) are hatched grey, not a weight of 0. Unknown tokens carry ⁇. A ⊘ in the title means heads are switched off (Ablation). In a model with grouped-query attention several query heads share one key/value head: each still has its own map, and the title names its &lt;i&gt;kv group&lt;/i&gt; and the heads sharing it.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>▨ hatched: masked (future key), not weight 0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 → %2: masked (future key)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::ImageWindow</name>
    <message>
        <source>%1 — image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>layer </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>head %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean of heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>query %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Image…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: out of memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>class probabilities

</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no classifier (ViTModel):
attention only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · predicted %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::MainWindow</name>
    <message>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;System Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown language &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The %1 translation could not be loaded; the language stays as it was.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;i&gt;Open a model (Ctrl+O) or choose one from the Models menu.&lt;/i&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Head Census</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV table (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models (*.json *.bin);;AttnScope models (*.json);;llama2.c checkpoints (*.bin);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Model &amp;Folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Shift+M</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder (GPT-2, BERT, RoBERTa, DistilBERT)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Hugging Face Model Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Image…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Shift+I</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the current ViT model (e.g. models/hf/vit-digits) on an image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export All Heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Each Head Into</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV table (*.csv);;JSON (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Interactive &amp;HTML…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One self-contained web page with every head: head view, overview, alignment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Interactive HTML</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Web page (*.html)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image copied to the clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About AttnScope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;AttnScope %1&lt;/b&gt;&lt;p&gt;Live attention heatmaps for small transformers. Every number shown comes from the AttnScope C++ engine.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Guide to This View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guide: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AttnScope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: out of memory while loading the model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1

%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Image needs a ViT model (e.g. models/hf/vit-digits): open one with File › Open Model Folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the training snapshot %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training snapshot %1 of %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AttnScope — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Clear Menu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no bundled models found)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Rescan Models Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
(click to run this example)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean ablation: %1 (run without it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n source token(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> · %n target token(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source> · forward %1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (%1 of %2 tokens recomputed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · head analysis %1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>zero</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · ⊘ 1 head switched off (%1 ablation)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · ⊘ %1 heads switched off (%2 ablation)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>generated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>decoder input</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Model output&lt;/b&gt; (teacher-forced)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Generated output&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;br&gt;&lt;b&gt;The model&apos;s choice at each position&lt;/b&gt; and its probability (teacher-forced: not always the target):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;br&gt;&lt;b&gt;Each generated token&lt;/b&gt; and its probability:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step %1: p(%2) = %3 after %4 decoder token(s); Timeline shows the alternatives</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;br&gt;&lt;b&gt;Next token after the decoder input:&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Next token&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Continuation&lt;/b&gt;&lt;br&gt;%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;br&gt;&lt;b&gt;Next token after the prompt:&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Filled in&lt;/b&gt;&lt;br&gt;%1&lt;br&gt;&lt;br&gt;&lt;b&gt;Predictions for the first [MASK]:&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Encoder-only model&lt;/b&gt;&lt;br&gt;Type a mask token (e.g. [MASK]) to see the model&apos;s predictions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Probability</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The most probable next tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each output token, in order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export failed.

%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1-attention, all heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing to export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved %1 files in %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: nothing to export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: unknown data format (use .csv or .json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: no census to export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: nothing to save: open a model first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot save the session.

%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved session %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the session; nothing was changed.

%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>out of memory while loading the model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: /model: the model &quot;%2&quot; (%3) could not be loaded:

%4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opened session %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opened session %1 (its notes are in the Notes panel)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AttnScope sessions (*%1);;JSON (*.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save Session</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::NeuronCanvas</name>
    <message>
        <source>k_j: keys
d = 0 … %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>q_i ⊙ k_j
q_i[d] · k_j[d]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>q_i · k_j
= Σ of products</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>s_j = q_i·k_j / ↭_k
(÷ √%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A_ij = softmax(s/τ)_j
τ = %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>q_%1 “%2”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A_ij = softmax_j(q_i·k_j / ↭_k / τ) · the products q_i[d]·k_j[d] sum to the score q_i·k_j</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 → −∞</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0 (masked)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Colours: q and k blue −%1 … white 0 … red %1 · products blue −%2 … red %2 · weights: colour map 0 … 1%3 · hover: a cell&apos;s value · click a row: how its weight is made</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · veiled rows: masked keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>q_%1[%2] = %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>key %1 “%2”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
k_%2[%3] = %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
q_%2[%3] · k_%4[%3] = %5 × %6 = %7</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
q·k = %2, s = %2 / √%3 = %4, A = %5%6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (masked)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::NotesPanel</name>
    <message>
        <source>Notes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notes for this lesson: what to show, what to ask. They are saved in the session file (File › Save Session).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The lesson&apos;s notes, saved in the session file and shown again when it is opened</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::OverviewView</name>
    <message>
        <source>No attention for this stack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1-attention: every layer × head (rows are queries, columns keys)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>head %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>L%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attention weight (log scale)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attention weight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>masked (future key)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean of heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>layer %1, %2 — click to open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Overview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;Every layer (rows) and head (columns) of the chosen stack as a thumbnail, and the layer&apos;s mean last. Click one to open it in the head view. Switched-off heads are crossed out.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::PatchOverlayView</name>
    <message>
        <source>Open an image (File › Open Image…)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::RevisionSlider</name>
    <message>
        <source>Training checkpoints of this model, in order of training step: move to load another one. The input, the view and the selected head stay.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training &amp;step %1 (%2 of %3) — release to load</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training &amp;step %1 (%2 of %3)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::RolloutView</name>
    <message>
        <source>Attention rollout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention flow (up to %1 tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>contribution of input token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>R = A′_L · … · A′_1 with A′_l = 0.5·mean(A_l) + 0.5·I (rows renormalised), mean(A_l) the mean of layer l&apos;s heads. Row i: how much each input token contributes to position i at the top.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>F(i, j) = max-flow from input token j to position i at the top through the layers, edge capacities A′_l(i, j). Offered up to %1 tokens (cost grows fast).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;Choose one with the Stack selector above: %1.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> or </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Rollout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Rollout / Flow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Attention rollout&lt;/b&gt; (Abnar &amp;amp; Zuidema 2020): per layer, A′ = ½·mean(A) + ½·I with rows renormalised (mean(A) the mean of the layer&apos;s heads); R = A′_L ⋯ A′_1. Row i says how much each input token contributes to position i at the top. &lt;b&gt;Flow&lt;/b&gt; treats the layers as a graph with capacities A′ and takes max-flow values. Self-attention stacks only.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::StepCanvas</name>
    <message>
        <source>1. Queries
Q = X·W_Q</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>2. Keys
K = X·W_K</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>3. Values
V = X·W_V</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>4. Scores
Q·Kᵀ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>5. Scaled (↭_k = √%1)
S = Q·Kᵀ / ↭_k</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>6. Masked
S + M, M = −∞</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>7. Weights (τ = %1)
A = softmax((S+M)/τ)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>8. Output
O = A·V</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>colour 0 … 1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>blue −%1 … red %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dim %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
%2 (row %3), %4: %5%6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>
click to see how this weight is made</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::StepThroughView</name>
    <message>
        <source>Softmax temperature τ:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset (τ = 1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>τ divides this head&apos;s scaled scores before its softmax, so steps 7 (A) and 8 (O = A·V) and the weights of the query/key view change; the model&apos;s forward pass, the other views and the predictions keep τ = 1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps 1ĸ: Q, K, V → A·V</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Query token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The query whose vector q_i is compared with every key vector k_j</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>or click a row of step 7 (A) in the steps panel; click a key&apos;s row here to explain that weight there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Query · key vectors (neuron view)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1-attention · layer %2 · head %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The step-through shows one head: untick “Mean of heads”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: long input, recomputing this head’s Q, K, V and scores…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This result has no Q, K, V (it was not run with full capture).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: scaled dot-product attention, step by step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the head could not be recomputed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — queries %2–%3, keys %4–%5 of %6 × %7</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · query %2 “%3” against every key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · query %2 “%3” · keys %4–%5 of %6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;Click a cell of steps 4ķ to see how its weight is made.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;A[%1, %2]: query %1 “%3” → key %2 “%4”&lt;/h3&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;1. Dot product&lt;/b&gt; q&lt;sub&gt;%1&lt;/sub&gt; · k&lt;sub&gt;%2&lt;/sub&gt; = Σ&lt;sub&gt;d&lt;/sub&gt; q[d]·k[d]&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;td colspan=3&gt;&lt;b&gt;sum&lt;/b&gt;&lt;/td&gt;&lt;td align=right&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;2. Scale&lt;/b&gt; s = %1 × 1/↭_k = %1 × %2 = &lt;b&gt;%3&lt;/b&gt;&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;3. Mask&lt;/b&gt; key %1 is &lt;b&gt;masked&lt;/b&gt; for query %2: s + M = −∞, weight 0.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;3. Mask&lt;/b&gt; key %1 is allowed for query %2: M = 0.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;4. Softmax of row %1&lt;/b&gt; at τ = %2: ℓ = s/τ, m = max ℓ = %3, e = exp(ℓ − m), A = e / 㨾&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;td colspan=4&gt;&lt;i&gt;keys 0–%1 not listed&lt;/i&gt;&lt;/td&gt;&lt;/tr&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;td colspan=4&gt;&lt;i&gt;keys %1–%2 not listed&lt;/i&gt;&lt;/td&gt;&lt;/tr&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;td colspan=2&gt;&lt;b&gt;㨾&lt;/b&gt;&lt;/td&gt;&lt;td align=right&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;td&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;A[%1, %2] = %3 / %4 = &lt;b&gt;%5&lt;/b&gt;&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Step-through</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;softmax(QKᵀ/√d_k + M)·V for the selected head, one step per map: Q, K, the scores QKᵀ, scaled by √d_k, masked (future keys under a causal mask), the weights at temperature τ, V and the output. Click a weight to see its numbers explained; the Query · key tab shows one query&apos;s dot products with every key.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::TimelineView</name>
    <message>
        <source>&amp;Generate a continuation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick Generate: the model continues the prompt greedily</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First step (Home)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>◀ Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous step (Left)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drag to scrub through the decoding steps (Left / Right when focused)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next step (Right)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last step (End)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>▶ Play</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step through automatically (Space)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Probability</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The step&apos;s top-%1 next-token probabilities (softmax of the logits at the step&apos;s row)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a model to see its decoding steps.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>long input: recomputing this head…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Generation timeline&lt;/b&gt; of the continuation: %1 decoding steps (0–%2), one per generated token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Generation timeline&lt;/b&gt; of the decoder: %1 steps (0–%2), one per output token%3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (teacher-forced: each step is fed the target token)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention is causal: appending a token never changes earlier rows, so row t of one forward pass over the whole output is exactly the row decoding step t computed. Each step shows the rows computed so far (the plots grow with them; double-click one for the whole matrix); the step&apos;s row is outlined.%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> The prompt&apos;s rows are all computed at the first step.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step %1 of 0–%2 · row %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Source:&lt;/b&gt; </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Decoder input so far:&lt;/b&gt; </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Seen so far&lt;/b&gt; (prompt grey): </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step %1: the model&apos;s choice is &lt;b&gt;%2&lt;/b&gt; with p = %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step %1 chose &lt;b&gt;%2&lt;/b&gt; with p = %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; teacher forcing feeds the target token &lt;b&gt;%1&lt;/b&gt; to the next step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · step %2: rows 0–%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Timeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generation &amp;Timeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;Scrub through the decoding steps: at step t the token chosen, its probability and the alternatives, and the selected head&apos;s attention with only the rows computed so far (later rows grey, their labels hidden so the answer is not given away).&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>attnscope::TruncationBanner</name>
    <message>
        <source>1 token dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tokens dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;⚠ The %1 is cut at max_len %2: %3&lt;/b&gt; (of %4) — every view and the prediction are for the shortened %1. Not seen: “%5”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dropped from the %1 (%2 tokens):
%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>input</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>target</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
