<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AttentionSlice</name>
    <message>
        <source>encoder self</source>
        <translation>编码器自</translation>
    </message>
    <message>
        <source>decoder self</source>
        <translation>解码器自</translation>
    </message>
    <message>
        <source>cross</source>
        <translation>交叉</translation>
    </message>
    <message>
        <source>query: reads → produces</source>
        <translation>查询：读入 → 产出</translation>
    </message>
    <message>
        <source>query</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>cross-attention</source>
        <translation>交叉注意力</translation>
    </message>
    <message>
        <source>%1-attention</source>
        <translation>%1注意力</translation>
    </message>
    <message>
        <source>mean of heads</source>
        <translation>各头平均</translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>头 %1</translation>
    </message>
    <message>
        <source>%1 · layer %2 · %3</source>
        <translation>%1 · 第 %2 层 · %3</translation>
    </message>
    <message>
        <source>Rollout and flow follow one self-attention stack through its layers, not cross-attention.</source>
        <translation>展开与流沿一个自注意力栈逐层追踪，不适用于交叉注意力。</translation>
    </message>
    <message>
        <source>This model has no %1 stack.</source>
        <translation>此模型没有%1栈。</translation>
    </message>
    <message>
        <source>Rollout and flow need every head of every layer; this input is long enough that heads are kept compactly and recomputed one at a time (%1 tokens).</source>
        <translation>展开与流需要每一层的每个头；此输入较长，各头以紧凑形式保存并逐个重算（%1 个词元）。</translation>
    </message>
    <message>
        <source>Attention flow is offered up to %1 tokens; this input has %2.</source>
        <translation>注意力流最多支持 %1 个词元；此输入有 %2 个。</translation>
    </message>
    <message>
        <source>%1-attention · %2 over %3 layers</source>
        <translation>%1注意力 · %3 层上的%2</translation>
    </message>
    <message>
        <source>attention rollout</source>
        <translation>注意力展开</translation>
    </message>
    <message>
        <source>attention flow</source>
        <translation>注意力流</translation>
    </message>
    <message>
        <source>kv group %1 (shared with heads %2–%3)</source>
        <translation>kv 组 %1（与头 %2–%3 共享）</translation>
    </message>
</context>
<context>
    <name>ImageExport</name>
    <message>
        <source>PNG image (*.png);;SVG image (*.svg);;PDF document (*.pdf);;JPEG image (*.jpg *.jpeg)</source>
        <translation>PNG 图像 (*.png);;SVG 图像 (*.svg);;PDF 文档 (*.pdf);;JPEG 图像 (*.jpg *.jpeg)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>AttnScope</source>
        <translation>AttnScope</translation>
    </message>
    <message>
        <source>&amp;Input:</source>
        <translation>输入(&amp;I)：</translation>
    </message>
    <message>
        <source>Text run through the model on every keystroke</source>
        <translation>每次按键都会把文本送入模型</translation>
    </message>
    <message>
        <source>Type text for the model…</source>
        <translation>输入要送入模型的文本…</translation>
    </message>
    <message>
        <source>&amp;Target:</source>
        <translation>目标(&amp;T)：</translation>
    </message>
    <message>
        <source>Encoder-decoder models: leave empty to generate greedily, or type a target to teacher-force it</source>
        <translation>编码器-解码器模型：留空则贪心生成，或输入目标以教师强制</translation>
    </message>
    <message>
        <source>(empty: generate)</source>
        <translation>（留空：生成）</translation>
    </message>
    <message>
        <source>Sentence &amp;B:</source>
        <translation>句子 B(&amp;B)：</translation>
    </message>
    <message>
        <source>Sentence-pair models (BERT, RoBERTa): an optional second segment, run as [CLS] A [SEP] B [SEP] with token type 1 for B (its chips are tinted green)</source>
        <translation>句对模型（BERT、RoBERTa）：可选的第二段，按 [CLS] A [SEP] B [SEP] 运行，B 的词元类型为 1（其标签染成绿色）</translation>
    </message>
    <message>
        <source>(optional second sentence)</source>
        <translation>（可选的第二个句子）</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <source>Decoder models: greedily continue the prompt and show attention over the continuation</source>
        <translation>解码器模型：贪心续写提示，并显示续写部分的注意力</translation>
    </message>
    <message>
        <source>Tokenization of the input. Red chips are unknown tokens (mapped to the unknown token); grey chips are special tokens.</source>
        <translation>输入的分词结果。红色标签是未知词元（映射为未知词元）；灰色标签是特殊词元。</translation>
    </message>
    <message>
        <source>&amp;Stack:</source>
        <translation>栈(&amp;S)：</translation>
    </message>
    <message>
        <source>Attention block: encoder self-attention, decoder self-attention or cross-attention</source>
        <translation>注意力块：编码器自注意力、解码器自注意力或交叉注意力</translation>
    </message>
    <message>
        <source>&amp;Layer:</source>
        <translation>层(&amp;L)：</translation>
    </message>
    <message>
        <source>Layer (Ctrl+PgUp / Ctrl+PgDown)</source>
        <translation>层（Ctrl+PgUp / Ctrl+PgDown）</translation>
    </message>
    <message>
        <source>&amp;Head:</source>
        <translation>头(&amp;H)：</translation>
    </message>
    <message>
        <source>Head (Ctrl+[ / Ctrl+])</source>
        <translation>头（Ctrl+[ / Ctrl+]）</translation>
    </message>
    <message>
        <source>&amp;Mean of heads</source>
        <translation>各头平均(&amp;M)</translation>
    </message>
    <message>
        <source>Show the mean of the layer&apos;s heads (Ctrl+M)</source>
        <translation>显示该层各头的平均（Ctrl+M）</translation>
    </message>
    <message>
        <source>&amp;Colour map:</source>
        <translation>色图(&amp;C)：</translation>
    </message>
    <message>
        <source>viridis, magma and cividis are perceptually uniform</source>
        <translation>viridis、magma 和 cividis 在感知上是均匀的</translation>
    </message>
    <message>
        <source>Lo&amp;g scale</source>
        <translation>对数刻度(&amp;G)</translation>
    </message>
    <message>
        <source>Colour by log10 of the weight (weights below 0.001 share the lowest colour)</source>
        <translation>按权重的 log10 着色（低于 0.001 的权重共用最低的颜色）</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Models</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>E&amp;xamples (click to use):</source>
        <translation>示例（点击使用）(&amp;X)：</translation>
    </message>
    <message>
        <source>Examples from the model file: click one to run it</source>
        <translation>模型文件中的示例：点击一个即可运行</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Top-k predictions with their probabilities (softmax of the logits)</source>
        <translation>Top-k 预测及其概率（logits 的 softmax）</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>&amp;Open Model…</source>
        <translation>打开模型(&amp;O)…</translation>
    </message>
    <message>
        <source>Ctrl+O</source>
        <translation>Ctrl+O</translation>
    </message>
    <message>
        <source>Open a model JSON file</source>
        <translation>打开模型 JSON 文件</translation>
    </message>
    <message>
        <source>&amp;Reload Model</source>
        <translation>重新加载模型(&amp;R)</translation>
    </message>
    <message>
        <source>F5</source>
        <translation>F5</translation>
    </message>
    <message>
        <source>Read the current model file again</source>
        <translation>重新读取当前模型文件</translation>
    </message>
    <message>
        <source>Open &amp;Session…</source>
        <translation>打开会话(&amp;S)…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <source>Open a saved session (lesson): model, inputs, selected head, ablations and view settings</source>
        <translation>打开已保存的会话（课程）：模型、输入、所选头、消融与视图设置</translation>
    </message>
    <message>
        <source>Sa&amp;ve Session…</source>
        <translation>保存会话(&amp;V)…</translation>
    </message>
    <message>
        <source>Ctrl+S</source>
        <translation>Ctrl+S</translation>
    </message>
    <message>
        <source>Save the model, inputs, selected head, ablations and view settings as a session file, e.g. to prepare a lesson</source>
        <translation>把模型、输入、所选头、消融与视图设置保存为会话文件，例如用于备课</translation>
    </message>
    <message>
        <source>&amp;Export Image…</source>
        <translation>导出图像(&amp;E)…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Save the current view as PNG, SVG, PDF or JPG</source>
        <translation>把当前视图保存为 PNG、SVG、PDF 或 JPG</translation>
    </message>
    <message>
        <source>Export All Heads (&amp;Grid)…</source>
        <translation>导出全部头（网格）(&amp;G)…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+E</source>
        <translation>Ctrl+Shift+E</translation>
    </message>
    <message>
        <source>Save every layer × head of the stack as one grid image</source>
        <translation>把该栈的每个层 × 头保存为一张网格图</translation>
    </message>
    <message>
        <source>Export Each &amp;Head…</source>
        <translation>逐头导出(&amp;H)…</translation>
    </message>
    <message>
        <source>Save one heatmap file per head into a folder</source>
        <translation>每个头保存一个热图文件到文件夹</translation>
    </message>
    <message>
        <source>Export &amp;Data…</source>
        <translation>导出数据(&amp;D)…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+S</source>
        <translation>Ctrl+Shift+S</translation>
    </message>
    <message>
        <source>Save the current attention matrix as CSV or JSON</source>
        <translation>把当前注意力矩阵保存为 CSV 或 JSON</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Ctrl+Q</source>
        <translation>Ctrl+Q</translation>
    </message>
    <message>
        <source>&amp;Copy Image</source>
        <translation>复制图像(&amp;C)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+C</source>
        <translation>Ctrl+Shift+C</translation>
    </message>
    <message>
        <source>Copy the current view to the clipboard</source>
        <translation>把当前视图复制到剪贴板</translation>
    </message>
    <message>
        <source>&amp;Next Head</source>
        <translation>下一个头(&amp;N)</translation>
    </message>
    <message>
        <source>Ctrl+]</source>
        <translation>Ctrl+]</translation>
    </message>
    <message>
        <source>&amp;Previous Head</source>
        <translation>上一个头(&amp;P)</translation>
    </message>
    <message>
        <source>Ctrl+[</source>
        <translation>Ctrl+[</translation>
    </message>
    <message>
        <source>Next &amp;Layer</source>
        <translation>下一层(&amp;L)</translation>
    </message>
    <message>
        <source>Ctrl+PgDown</source>
        <translation>Ctrl+PgDown</translation>
    </message>
    <message>
        <source>Previous La&amp;yer</source>
        <translation>上一层(&amp;Y)</translation>
    </message>
    <message>
        <source>Ctrl+PgUp</source>
        <translation>Ctrl+PgUp</translation>
    </message>
    <message>
        <source>&amp;Mean of Heads</source>
        <translation>各头平均(&amp;M)</translation>
    </message>
    <message>
        <source>Ctrl+M</source>
        <translation>Ctrl+M</translation>
    </message>
    <message>
        <source>&amp;Focus Input</source>
        <translation>聚焦输入框(&amp;F)</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>&amp;About AttnScope</source>
        <translation>关于 AttnScope(&amp;A)</translation>
    </message>
    <message numerus="yes">
        <source>&lt;i&gt;… and %n more token(s)&lt;/i&gt;</source>
        <translation>
            <numerusform>&lt;i&gt;… 以及另外 %n 个词元&lt;/i&gt;</numerusform>
        </translation>
    </message>
    <message>
        <source>Copy &amp;Data</source>
        <translation>复制数据(&amp;D)</translation>
    </message>
    <message>
        <source>Ctrl+Alt+C</source>
        <translation>Ctrl+Alt+C</translation>
    </message>
    <message>
        <source>Copy the current attention matrix to the clipboard as CSV (pastes into a spreadsheet)</source>
        <translation>把当前注意力矩阵以 CSV 复制到剪贴板（可粘贴到电子表格）</translation>
    </message>
</context>
<context>
    <name>ModelPanel</name>
    <message>
        <source>RMSNorm</source>
        <translation>RMSNorm</translation>
    </message>
    <message>
        <source>LayerNorm</source>
        <translation>LayerNorm</translation>
    </message>
    <message>
        <source>pre-%1</source>
        <translation>前置 %1</translation>
    </message>
    <message>
        <source>post-%1</source>
        <translation>后置 %1</translation>
    </message>
    <message>
        <source>sinusoidal positions</source>
        <translation>正弦位置编码</translation>
    </message>
    <message>
        <source>learned positions</source>
        <translation>可学习位置编码</translation>
    </message>
    <message>
        <source>θ %1</source>
        <translation>θ %1</translation>
    </message>
    <message>
        <source>%1 % of d_head</source>
        <translation>d_head 的 %1 %</translation>
    </message>
    <message>
        <source>linear scaling ×%1</source>
        <translation>线性缩放 ×%1</translation>
    </message>
    <message>
        <source>rotary (%1)</source>
        <translation>旋转位置编码（%1）</translation>
    </message>
    <message>
        <source>SwiGLU</source>
        <translation>SwiGLU</translation>
    </message>
    <message>
        <source>gated %1</source>
        <translation>门控 %1</translation>
    </message>
    <message>
        <source>%1 MLP</source>
        <translation>%1 MLP</translation>
    </message>
    <message>
        <source>parallel residual</source>
        <translation>并行残差</translation>
    </message>
    <message>
        <source>%1 query / 1 key-value head (MQA)</source>
        <translation>%1 个查询头 / 1 个键值头（MQA）</translation>
    </message>
    <message>
        <source>%1 query / %2 key-value heads (GQA)</source>
        <translation>%1 个查询头 / %2 个键值头（GQA）</translation>
    </message>
    <message>
        <source>1 head</source>
        <translation>1 个头</translation>
    </message>
    <message>
        <source>%1 heads</source>
        <translation>%1 个头</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>%1 encoder, %2 decoder</source>
        <translation>编码器 %1 层，解码器 %2 层</translation>
    </message>
    <message>
        <source>Heads</source>
        <translation>头数</translation>
    </message>
    <message>
        <source>%1 query, %2 key-value (d_k = %3): %4 query heads per key-value head</source>
        <translation>%1 个查询头，%2 个键值头（d_k = %3）：每个键值头对应 %4 个查询头</translation>
    </message>
    <message>
        <source>%1 (d_k = %2)</source>
        <translation>%1（d_k = %2）</translation>
    </message>
    <message>
        <source>d_model / d_ff</source>
        <translation>d_model / d_ff</translation>
    </message>
    <message>
        <source>Positions</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>max_len %1</source>
        <translation>max_len %1</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Checkpoint</source>
        <translation>检查点</translation>
    </message>
    <message>
        <source>Hugging Face %1, %2</source>
        <translation>Hugging Face %1，%2</translation>
    </message>
    <message>
        <source>characters</source>
        <translation>字符</translation>
    </message>
    <message>
        <source>token ids (#N)</source>
        <translation>词元 id（#N）</translation>
    </message>
    <message>
        <source>words</source>
        <translation>词</translation>
    </message>
    <message>
        <source>byte-level BPE</source>
        <translation>字节级 BPE</translation>
    </message>
    <message>
        <source>SentencePiece BPE (▁ for spaces, byte fallback)</source>
        <translation>SentencePiece BPE（▁ 表示空格，字节回退）</translation>
    </message>
    <message>
        <source>WordPiece</source>
        <translation>WordPiece</translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation>分词器</translation>
    </message>
    <message>
        <source> source, %1 target</source>
        <translation> 源端，目标端 %1</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>词表</translation>
    </message>
    <message>
        <source>Tokens:</source>
        <translation>词元：</translation>
    </message>
</context>
<context>
    <name>ViewPage</name>
    <message>
        <source> · ⊘ switched off (its output is not used)</source>
        <translation> · ⊘ 已关闭（不使用其输出）</translation>
    </message>
    <message>
        <source> · ⊘ %1 of its heads switched off</source>
        <translation> · ⊘ 其中 %1 个头已关闭</translation>
    </message>
    <message>
        <source> · ⊘ ablated model (1 head off)</source>
        <translation> · ⊘ 已消融的模型（关闭 1 个头）</translation>
    </message>
    <message>
        <source> · ⊘ ablated model (%1 heads off)</source>
        <translation> · ⊘ 已消融的模型（关闭 %1 个头）</translation>
    </message>
</context>
<context>
    <name>attnscope::AblationView</name>
    <message>
        <source>Zero ablation</source>
        <translation>置零消融</translation>
    </message>
    <message>
        <source>Mean ablation over a reference input</source>
        <translation>以参考输入的均值消融</translation>
    </message>
    <message>
        <source>Zero: the head&apos;s output A·V is replaced by 0. Mean: by its mean over the positions of the reference input.</source>
        <translation>置零：该头的输出 A·V 替换为 0。均值：替换为它在参考输入各位置上的均值。</translation>
    </message>
    <message>
        <source>reference input (empty: the current input)</source>
        <translation>参考输入（留空：使用当前输入）</translation>
    </message>
    <message>
        <source>Restore all heads</source>
        <translation>恢复所有头</translation>
    </message>
    <message>
        <source>Ablate by:</source>
        <translation>消融方式：</translation>
    </message>
    <message>
        <source>%1-attention</source>
        <translation>%1注意力</translation>
    </message>
    <message>
        <source>Importance: log-probability drop of the model&apos;s own prediction when the head alone is zeroed</source>
        <translation>重要性：单独把该头置零时，模型自身预测的对数概率下降多少</translation>
    </message>
    <message>
        <source>Click a head to switch it off (crossed out); every view, the output and the top-k predictions follow at once. Click again to switch it back on.</source>
        <translation>点击一个头将其关闭（打叉）；所有视图、输出和 top-k 预测立即随之改变。再次点击即可重新打开。</translation>
    </message>
    <message numerus="yes">
        <source>%n head(s) switched off (crossed out). Every view, the output and the top-k predictions show the ablated model; the importance map stays that of the intact model.</source>
        <translation>
            <numerusform>已关闭 %n 个头（打叉）。所有视图、输出和 top-k 预测显示的是消融后的模型；重要性图仍是完整模型的。</numerusform>
        </translation>
    </message>
    <message>
        <source>A&amp;blation</source>
        <translation>消融(&amp;B)</translation>
    </message>
    <message>
        <source>Head A&amp;blation</source>
        <translation>头消融(&amp;B)</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Head importance&lt;/b&gt; (Michel et al. 2019): how much the log-probability of the intact model&apos;s own prediction drops when that head alone is zeroed. Click a head to switch it off in every view; switched-off heads are crossed out here and marked ⊘ in the head view&apos;s title, the overview, the alignment view and the status line.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;头重要性&lt;/b&gt;（Michel 等，2019）：单独把该头置零时，完整模型自身预测的对数概率下降多少。点击一个头即可在所有视图中关闭它；关闭的头在此处打叉，并在头视图标题、总览、对齐视图和状态栏中标记 ⊘。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>attnscope::AlignmentView</name>
    <message>
        <source>No attention for this stack</source>
        <translation>此栈没有注意力</translation>
    </message>
    <message>
        <source>Long input: recomputing the selected head…</source>
        <translation>长输入：正在重算所选的头…</translation>
    </message>
    <message>
        <source>cross-attention · layer %1: source (left) ← decoder reads → produces (right)</source>
        <translation>交叉注意力 · 第 %1 层：源端（左）← 解码器 读入 → 产出（右）</translation>
    </message>
    <message>
        <source>%1-attention · layer %2: keys (left) ← queries (right)</source>
        <translation>%1注意力 · 第 %2 层：键（左）← 查询（右）</translation>
    </message>
    <message>
        <source>The head could not be recomputed.</source>
        <translation>无法重算该头。</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>平均</translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>头 %1</translation>
    </message>
    <message>
        <source>&amp;Alignment</source>
        <translation>对齐(&amp;A)</translation>
    </message>
    <message>
        <source>&lt;p&gt;Token-to-token lines: keys on the left, queries on the right, each line as thick and dark as the weight. Decoder and cross-attention queries are labelled &lt;i&gt;reads→produces&lt;/i&gt;, as in the head view: the decoder input at that position (row 0 reads &amp;lt;s&amp;gt;) and the token it produces. &lt;b&gt;Mean of heads&lt;/b&gt; draws the layer&apos;s mean (1/H) Σ A&lt;sub&gt;h&lt;/sub&gt; as one grey set; click a head&apos;s chip to add its lines in its colour, the mean&apos;s chip to hide or show the mean.&lt;/p&gt;</source>
        <translation>&lt;p&gt;词元到词元的连线：左边是键，右边是查询，每条线的粗细和深浅对应权重。解码器和交叉注意力的查询标为&lt;i&gt;读入→产出&lt;/i&gt;，与头视图相同：该位置的解码器输入（第 0 行读入 &amp;lt;s&amp;gt;）及其产出的词元。&lt;b&gt;各头平均&lt;/b&gt;把该层的平均 (1/H) Σ A&lt;sub&gt;h&lt;/sub&gt; 画成一组灰线；点击某个头的标签可以用它的颜色加上它的连线，点击平均的标签可隐藏或显示平均。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>attnscope::CensusView</name>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Save every statistic of every head as CSV (one row per head)</source>
        <translation>把每个头的每项统计保存为 CSV（每个头一行）</translation>
    </message>
    <message>
        <source>&amp;Scale:</source>
        <translation>刻度(&amp;S)：</translation>
    </message>
    <message>
        <source>per map</source>
        <translation>逐图</translation>
    </message>
    <message>
        <source>shared</source>
        <translation>共享</translation>
    </message>
    <message>
        <source>per map: each map&apos;s colours span its own min … max (the largest value is always the brightest, even if it is small).
shared: one range per statistic for every stack (shares and scores 0 … 1, entropy and distance 0 … their largest value), so colours can be compared.</source>
        <translation>逐图：每张图的颜色覆盖它自己的最小值 … 最大值（最大值总是最亮，即使它很小）。
共享：每项统计在所有栈中使用同一范围（占比和得分 0 … 1，熵和距离 0 … 其最大值），因此颜色可以比较。</translation>
    </message>
    <message>
        <source>Entropy: H_i = −Σ_j A_ij ln A_ij of each query&apos;s row, averaged over the queries, in nats. 0: all weight on one key; ln n: spread evenly over n keys.</source>
        <translation>熵：每个查询行的 H_i = −Σ_j A_ij ln A_ij，对所有查询取平均，单位为奈特。0：全部权重在一个键上；ln n：均匀分布在 n 个键上。</translation>
    </message>
    <message>
        <source>Mean distance: Σ_j A_ij · |i − j| averaged over the queries: how many tokens away a query looks on average (0: at itself).</source>
        <translation>平均距离：Σ_j A_ij · |i − j| 对所有查询取平均：一个查询平均看向多远的词元（0：看自己）。</translation>
    </message>
    <message>
        <source>First-token share: mean over the queries of the weight on key 0 (often a &apos;resting place&apos; for heads with nothing to do).</source>
        <translation>首词元占比：所有查询在键 0 上的权重的平均（常是无事可做的头的“休息处”）。</translation>
    </message>
    <message>
        <source>Special-token share: mean over the queries of the total weight on special tokens (&lt;s&gt;, &lt;/s&gt;, [CLS], [SEP], …).</source>
        <translation>特殊词元占比：所有查询在特殊词元（&lt;s&gt;、&lt;/s&gt;、[CLS]、[SEP] 等）上的总权重的平均。</translation>
    </message>
    <message>
        <source>Induction score: n random tokens repeated twice; for each query i in the second copy, the weight on key i − n + 1, the token that followed the earlier occurrence of the current one; averaged. 1: a perfect induction head; a previous-token head scores about 0.</source>
        <translation>归纳得分：n 个随机词元重复两次；对第二遍中的每个查询 i，取键 i − n + 1（即当前词元上一次出现之后的那个词元）上的权重，再取平均。1：完美的归纳头；前词元头的得分约为 0。</translation>
    </message>
    <message>
        <source>Head census: %1-attention, every layer × head</source>
        <translation>头普查：%1注意力，每个层 × 头</translation>
    </message>
    <message>
        <source>Head census</source>
        <translation>头普查</translation>
    </message>
    <message>
        <source>&lt;b&gt;Shared scale&lt;/b&gt;: shares and scores on 0 … 1, entropy and distance on 0 … their largest value in any stack, so colours compare between maps and stacks.</source>
        <translation>&lt;b&gt;共享刻度&lt;/b&gt;：占比和得分在 0 … 1 上，熵和距离在 0 … 任一栈中的最大值上，因此颜色可以在图与栈之间比较。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Per-map scale&lt;/b&gt;: each map&apos;s colours span its own range (under the map), so colours do not compare between maps.</source>
        <translation>&lt;b&gt;逐图刻度&lt;/b&gt;：每张图的颜色覆盖它自己的范围（见图下方），因此颜色不能在图之间比较。</translation>
    </message>
    <message>
        <source>Rows are layers, columns heads. %1 Statistics of this input&apos;s attention (induction: repeated random tokens); hover a map for its definition, click a head to open it.</source>
        <translation>行是层，列是头。%1 统计的是此输入的注意力（归纳：重复的随机词元）；悬停在图上查看定义，点击一个头将其打开。</translation>
    </message>
    <message>
        <source>No census for this input.</source>
        <translation>此输入没有普查结果。</translation>
    </message>
    <message>
        <source>&amp;Census</source>
        <translation>普查(&amp;C)</translation>
    </message>
    <message>
        <source>Head &amp;Census</source>
        <translation>头普查(&amp;C)</translation>
    </message>
    <message>
        <source>&lt;p&gt;One statistic per head of the current input, as a layers × heads map per statistic. &lt;b&gt;Entropy&lt;/b&gt;: mean over queries of −Σ A ln A, in nats (ln n for a uniform row over n keys). &lt;b&gt;Distance&lt;/b&gt;: mean Σ A·|i − j|. &lt;b&gt;Previous token&lt;/b&gt;: mean of A[i, i−1]. &lt;b&gt;First token&lt;/b&gt;: mean weight on key 0. &lt;b&gt;Special tokens&lt;/b&gt;: mean weight on special tokens. &lt;b&gt;Induction&lt;/b&gt; (decoder models): on random tokens repeated twice, mean weight on the token after the earlier occurrence. &lt;b&gt;Scale&lt;/b&gt;: &lt;i&gt;per map&lt;/i&gt; colours each map over its own range; &lt;i&gt;shared&lt;/i&gt; gives each statistic one range for every stack (shares 0 … 1), so colours compare. Hover a map for its definition; click a head to open it.&lt;/p&gt;</source>
        <translation>&lt;p&gt;当前输入的每个头的一项统计，每项统计画成一张层 × 头的图。&lt;b&gt;熵&lt;/b&gt;：对所有查询平均的 −Σ A ln A，单位为奈特（n 个键上均匀的行为 ln n）。&lt;b&gt;距离&lt;/b&gt;：平均的 Σ A·|i − j|。&lt;b&gt;前词元&lt;/b&gt;：A[i, i−1] 的平均。&lt;b&gt;首词元&lt;/b&gt;：键 0 上的平均权重。&lt;b&gt;特殊词元&lt;/b&gt;：特殊词元上的平均权重。&lt;b&gt;归纳&lt;/b&gt;（解码器模型）：在重复两次的随机词元上，前一次出现之后那个词元上的平均权重。&lt;b&gt;刻度&lt;/b&gt;：&lt;i&gt;逐图&lt;/i&gt;按每张图自己的范围着色；&lt;i&gt;共享&lt;/i&gt;让每项统计在所有栈中使用同一范围（占比 0 … 1），因此颜色可以比较。悬停在图上查看定义；点击一个头将其打开。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Previous-token score: mean over queries i ≥ 1 of A_i,i−1, the weight on the token just before. 1: always attends to the previous token.</source>
        <translation>前词元得分：对查询 i ≥ 1 平均的 A_i,i−1，即紧前一个词元上的权重。1：总是注意前一个词元。</translation>
    </message>
</context>
<context>
    <name>attnscope::CompareView</name>
    <message>
        <source>A − B</source>
        <translation>A − B</translation>
    </message>
    <message>
        <source>Input &amp;B:</source>
        <translation>输入 B(&amp;B)：</translation>
    </message>
    <message>
        <source>Second input to compare with the main input (A)…</source>
        <translation>与主输入（A）比较的第二个输入…</translation>
    </message>
    <message>
        <source>Run through the same model, target and ablated heads as A; edit a word and compare</source>
        <translation>使用与 A 相同的模型、目标和消融的头运行；改一个词再比较</translation>
    </message>
    <message>
        <source>B = A</source>
        <translation>B = A</translation>
    </message>
    <message>
        <source>Copy the main input into B (B then follows A until you edit it)</source>
        <translation>把主输入复制到 B（在你编辑之前 B 跟随 A）</translation>
    </message>
    <message>
        <source>Rows of the selected stack for A and B; tokens that differ are marked</source>
        <translation>A 与 B 在所选栈中的行；不同的词元会被标出</translation>
    </message>
    <message>
        <source>&lt;b&gt;B could not be run:&lt;/b&gt; %1</source>
        <translation>&lt;b&gt;B 无法运行：&lt;/b&gt;%1</translation>
    </message>
    <message>
        <source>How much each head changed</source>
        <translation>每个头变化了多少</translation>
    </message>
    <message>
        <source>Open a model and type an input (A) above.</source>
        <translation>请打开一个模型并在上方输入（A）。</translation>
    </message>
    <message>
        <source>B is empty: type a second input to compare with A.</source>
        <translation>B 为空：输入第二个输入与 A 比较。</translation>
    </message>
    <message>
        <source>Type a second input B to compare with A (running…).</source>
        <translation>输入第二个输入 B 与 A 比较（运行中…）。</translation>
    </message>
    <message>
        <source>%1-attention · layer %2 · mean of heads</source>
        <translation>%1注意力 · 第 %2 层 · 各头平均</translation>
    </message>
    <message>
        <source>%1-attention · layer %2 · head %3</source>
        <translation>%1注意力 · 第 %2 层 · 头 %3</translation>
    </message>
    <message>
        <source>mean of heads</source>
        <translation>各头平均</translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>头 %1</translation>
    </message>
    <message>
        <source>cross · </source>
        <translation>交叉 · </translation>
    </message>
    <message>
        <source>layer %1 · %2</source>
        <translation>第 %1 层 · %2</translation>
    </message>
    <message>
        <source>A: %1</source>
        <translation>A：%1</translation>
    </message>
    <message>
        <source>B: %1</source>
        <translation>B：%1</translation>
    </message>
    <message>
        <source>&lt;b&gt;A&lt;/b&gt; (%1 rows): </source>
        <translation>&lt;b&gt;A&lt;/b&gt;（%1 行）： </translation>
    </message>
    <message>
        <source>&lt;b&gt;B&lt;/b&gt; (%1 rows): </source>
        <translation>&lt;b&gt;B&lt;/b&gt;（%1 行）： </translation>
    </message>
    <message>
        <source>&lt;b&gt;A&lt;/b&gt;: %1 rows, &lt;b&gt;B&lt;/b&gt;: %2 rows</source>
        <translation>&lt;b&gt;A&lt;/b&gt;：%1 行，&lt;b&gt;B&lt;/b&gt;：%2 行</translation>
    </message>
    <message>
        <source>; no row differs</source>
        <translation>；没有不同的行</translation>
    </message>
    <message>
        <source>; rows that differ: %1</source>
        <translation>；不同的行：%1</translation>
    </message>
    <message>
        <source>&lt;b&gt;A&lt;/b&gt; keys: </source>
        <translation>&lt;b&gt;A&lt;/b&gt; 的键： </translation>
    </message>
    <message>
        <source>&lt;b&gt;B&lt;/b&gt; keys: </source>
        <translation>&lt;b&gt;B&lt;/b&gt; 的键： </translation>
    </message>
    <message>
        <source>&lt;b&gt;Nothing to compare for this stack:&lt;/b&gt; A and B do not both hold its full attention weights.</source>
        <translation>&lt;b&gt;此栈无可比较：&lt;/b&gt;A 和 B 并非都有它的完整注意力权重。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Token sequences differ in length: showing side by side.&lt;/b&gt; A is %1 × %2, B is %3 × %4 (queries × keys); A − B needs the same positions. Change a word for one with as many tokens to see the difference.</source>
        <translation>&lt;b&gt;词元序列长度不同：并排显示。&lt;/b&gt;A 为 %1 × %2，B 为 %3 × %4（查询 × 键）；A − B 需要相同的位置。把某个词换成词元数相同的词即可看到差异。</translation>
    </message>
    <message>
        <source>How much each head changed: needs aligned token sequences</source>
        <translation>每个头变化了多少：需要对齐的词元序列</translation>
    </message>
    <message>
        <source>The per-head map compares A and B cell by cell, so it too needs sequences of equal length.</source>
        <translation>逐头图逐格比较 A 和 B，因此同样需要等长的序列。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Cannot compare:&lt;/b&gt; %1</source>
        <translation>&lt;b&gt;无法比较：&lt;/b&gt;%1</translation>
    </message>
    <message>
        <source>Each cell: one head&apos;s |A − B| averaged (left) or maximal (right) over its cells, in percentage points of attention (× 100). Click a head to show it above.</source>
        <translation>每格：一个头的 |A − B| 在其各格上的平均（左）或最大值（右），单位为注意力的百分点（× 100）。点击一个头在上方显示。</translation>
    </message>
    <message>
        <source>A: %1 (recomputing…)</source>
        <translation>A：%1（重算中…）</translation>
    </message>
    <message>
        <source>B: %1 (recomputing…)</source>
        <translation>B：%1（重算中…）</translation>
    </message>
    <message>
        <source>&lt;b&gt;Long input:&lt;/b&gt; recomputing %1 for A and B…</source>
        <translation>&lt;b&gt;长输入：&lt;/b&gt;正在为 A 和 B 重算 %1…</translation>
    </message>
    <message>
        <source>&lt;b&gt;Cannot compare:&lt;/b&gt; the head could not be recomputed.</source>
        <translation>&lt;b&gt;无法比较：&lt;/b&gt;无法重算该头。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Token sequences differ in length: showing side by side.&lt;/b&gt; A is %1 × %2, B is %3 × %4 (queries × keys); A − B needs the same positions.</source>
        <translation>&lt;b&gt;词元序列长度不同：并排显示。&lt;/b&gt;A 为 %1 × %2，B 为 %3 × %4（查询 × 键）；A − B 需要相同的位置。</translation>
    </message>
    <message>
        <source>Each cell: one head&apos;s |A − B| averaged (left) or maximal (right) over its cells, in percentage points of attention (× 100) unless the panel&apos;s title says otherwise. Click a head to show it above.</source>
        <translation>每格：一个头的 |A − B| 在其各格上的平均（左）或最大值（右），单位为注意力的百分点（× 100），除非面板标题另有说明。点击一个头在上方显示。</translation>
    </message>
    <message>
        <source>&lt;b&gt;The per-head map could not be computed:&lt;/b&gt; %1</source>
        <translation>&lt;b&gt;无法计算逐头图：&lt;/b&gt;%1</translation>
    </message>
    <message>
        <source>Long input: every head of A and B recomputed from the compact traces. </source>
        <translation>长输入：A 和 B 的每个头都由紧凑轨迹重算。 </translation>
    </message>
    <message>
        <source>&lt;b&gt;Long input: computing the per-head map, %1 of %2 heads…&lt;/b&gt; Each head of A and B is recomputed from the compact trace in turn (n/a: not yet), while this tab is shown. </source>
        <translation>&lt;b&gt;长输入：正在计算逐头图，%2 个头中的第 %1 个…&lt;/b&gt;A 和 B 的每个头依次由紧凑轨迹重算（n/a：尚未计算），仅在显示此标签页时进行。 </translation>
    </message>
    <message>
        <source>A − B: %1</source>
        <translation>A − B：%1</translation>
    </message>
    <message>
        <source>&lt;b&gt;A and B attend identically here&lt;/b&gt; (A − B = 0). Edit a word of B to compare.</source>
        <translation>&lt;b&gt;A 和 B 在此处的注意力完全相同&lt;/b&gt;（A − B = 0）。编辑 B 中的一个词再比较。</translation>
    </message>
    <message>
        <source>&lt;b&gt;A − B&lt;/b&gt; (red: A attends more, blue: B more): max |A − B| = %1 at %2 → %3, mean |A − B| = %4 over %5 cells.</source>
        <translation>&lt;b&gt;A − B&lt;/b&gt;（红：A 注意更多，蓝：B 更多）：最大 |A − B| = %1，位于 %2 → %3；平均 |A − B| = %4，共 %5 格。</translation>
    </message>
    <message>
        <source> Most changed head of this stack: &lt;b&gt;layer %1, head %2&lt;/b&gt; (mean |A − B| = %3).</source>
        <translation> 此栈中变化最大的头：&lt;b&gt;第 %1 层，头 %2&lt;/b&gt;（平均 |A − B| = %3）。</translation>
    </message>
    <message>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <source>mean |A − B|</source>
        <translation>平均 |A − B|</translation>
    </message>
    <message>
        <source>max |A − B|</source>
        <translation>最大 |A − B|</translation>
    </message>
    <message>
        <source>How much each head changed from A to B: %1-attention, every layer × head</source>
        <translation>每个头从 A 到 B 变化了多少：%1注意力，每个层 × 头</translation>
    </message>
    <message>
        <source>Co&amp;mpare</source>
        <translation>比较(&amp;M)</translation>
    </message>
    <message>
        <source>Co&amp;mpare Inputs</source>
        <translation>比较输入(&amp;M)</translation>
    </message>
    <message>
        <source>&lt;p&gt;Input A (the main input) against input B, typed here. Where their tokens align, the selected head&apos;s A, B and A − B (blue: less attention in A, red: more) and a layers × heads map of the mean |A − B| per head; otherwise A and B side by side.&lt;/p&gt;</source>
        <translation>&lt;p&gt;输入 A（主输入）与在此输入的 B 对比。词元对齐时，显示所选头的 A、B 和 A − B（蓝：A 中注意更少，红：更多），以及每个头平均 |A − B| 的层 × 头图；否则并排显示 A 和 B。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>attnscope::EntropyStrip</name>
    <message>
        <source>No attention to show yet</source>
        <translation>尚无可显示的注意力</translation>
    </message>
    <message>
        <source>Entropy per query (nats) · %1</source>
        <translation>每个查询的熵（奈特）· %1</translation>
    </message>
    <message>
        <source>query %1 “%2”: entropy %3 nats (uniform over its %4 keys: %5)</source>
        <translation>查询 %1“%2”：熵 %3 奈特（在其 %4 个键上均匀时：%5）</translation>
    </message>
    <message>
        <source>&amp;Entropy</source>
        <translation>熵(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Entropy Strip</source>
        <translation>熵条(&amp;E)</translation>
    </message>
    <message>
        <source>Long input: recomputing the head…</source>
        <translation>长输入：正在重算该头…</translation>
    </message>
    <message>
        <source>&lt;p&gt;One bar per query of the selected head: the entropy −Σ_j A_ij ln A_ij of its row, in nats. 0 means all attention on one key; the dashed line is ln n, a uniform row over the n keys the query may see (a causal row i sees i + 1). Hover over a bar for its numbers.&lt;/p&gt;</source>
        <translation>&lt;p&gt;所选头的每个查询一根条：其行的熵 −Σ_j A_ij ln A_ij，单位为奈特。0 表示全部注意力在一个键上；虚线为 ln n，即在该查询可见的 n 个键上均匀的行（因果的第 i 行可见 i + 1 个）。悬停在条上查看数值。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>attnscope::HeadGridView</name>
    <message>
        <source>colour: %1 … %2</source>
        <translation>颜色：%1 … %2</translation>
    </message>
    <message>
        <source>Nothing to show</source>
        <translation>无可显示内容</translation>
    </message>
    <message>
        <source>H%1</source>
        <translation>H%1</translation>
    </message>
    <message>
        <source>L%1</source>
        <translation>L%1</translation>
    </message>
    <message>
        <source>%1
layer %2, head %3: %4</source>
        <translation>%1
第 %2 层，头 %3：%4</translation>
    </message>
</context>
<context>
    <name>attnscope::HeatmapPlot</name>
    <message>
        <source>&amp;Head</source>
        <translation>头(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Head View</source>
        <translation>头视图(&amp;H)</translation>
    </message>
    <message>
        <source>&lt;p&gt;One head&apos;s attention A = softmax(QKᵀ/√d_k + M): row i (a query) holds how much position i attends to each key j, and sums to 1. Hover over a cell for its weight. In an encoder-decoder model, decoder and cross-attention rows are labelled &lt;i&gt;reads→produces&lt;/i&gt;: the decoder input at that position (shifted right, so row 0 reads &amp;lt;s&amp;gt;) and the token it produces. Masked cells (future keys under a causal mask) are hatched grey, not a weight of 0. Unknown tokens carry ⁇. A ⊘ in the title means heads are switched off (Ablation). In a model with grouped-query attention several query heads share one key/value head: each still has its own map, and the title names its &lt;i&gt;kv group&lt;/i&gt; and the heads sharing it.&lt;/p&gt;</source>
        <translation>&lt;p&gt;一个头的注意力 A = softmax(QKᵀ/√d_k + M)：第 i 行（一个查询）是位置 i 对每个键 j 的注意程度，和为 1。悬停在格子上查看权重。在编码器-解码器模型中，解码器和交叉注意力的行标为&lt;i&gt;读入→产出&lt;/i&gt;：该位置的解码器输入（右移一位，因此第 0 行读入 &amp;lt;s&amp;gt;）及其产出的词元。被掩码的格子（因果掩码下的未来键）以灰色斜线表示，而不是权重 0。未知词元带有 ⁇。标题中的 ⊘ 表示有头被关闭（消融）。在分组查询注意力的模型中，多个查询头共享一个键/值头：每个查询头仍有自己的图，标题会写出它的 &lt;i&gt;kv 组&lt;/i&gt;以及共享该组的头。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>▨ hatched: masked (future key), not weight 0</source>
        <translation>▨ 斜线：被掩码（未来键），不是权重 0</translation>
    </message>
    <message>
        <source>%1 → %2: masked (future key)</source>
        <translation>%1 → %2：被掩码（未来键）</translation>
    </message>
    <message>
        <source>attention weight</source>
        <translation>注意力权重</translation>
    </message>
    <message>
        <source>key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>query</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>
query %1, key %2</source>
        <translation>
查询 %1，键 %2</translation>
    </message>
</context>
<context>
    <name>attnscope::ImageWindow</name>
    <message>
        <source>%1 — image</source>
        <translation>%1 — 图像</translation>
    </message>
    <message>
        <source>layer </source>
        <translation>层 </translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>头 %1</translation>
    </message>
    <message>
        <source>mean of heads</source>
        <translation>各头平均</translation>
    </message>
    <message>
        <source>query %1</source>
        <translation>查询 %1</translation>
    </message>
    <message>
        <source>Open Image…</source>
        <translation>打开图像…</translation>
    </message>
    <message>
        <source>Open Image</source>
        <translation>打开图像</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)</source>
        <translation>图像 (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;所有文件 (*)</translation>
    </message>
    <message>
        <source>%1: out of memory</source>
        <translation>%1：内存不足</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>class probabilities

</source>
        <translation>类别概率

</translation>
    </message>
    <message>
        <source>no classifier (ViTModel):
attention only</source>
        <translation>无分类器（ViTModel）：
仅有注意力</translation>
    </message>
    <message>
        <source> · predicted %1 (%2)</source>
        <translation> · 预测为 %1（%2）</translation>
    </message>
</context>
<context>
    <name>attnscope::MainWindow</name>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;System Language</source>
        <translation>跟随系统语言(&amp;S)</translation>
    </message>
    <message>
        <source>Unknown language &quot;%1&quot;.</source>
        <translation>未知语言“%1”。</translation>
    </message>
    <message>
        <source>The %1 translation could not be loaded; the language stays as it was.</source>
        <translation>无法加载%1翻译；语言保持不变。</translation>
    </message>
    <message>
        <source>Language: %1</source>
        <translation>语言：%1</translation>
    </message>
    <message>
        <source>&lt;i&gt;Open a model (Ctrl+O) or choose one from the Models menu.&lt;/i&gt;</source>
        <translation>&lt;i&gt;打开一个模型（Ctrl+O），或从“模型”菜单中选择一个。&lt;/i&gt;</translation>
    </message>
    <message>
        <source>Export Head Census</source>
        <translation>导出头普查</translation>
    </message>
    <message>
        <source>CSV table (*.csv)</source>
        <translation>CSV 表格 (*.csv)</translation>
    </message>
    <message>
        <source>Open Model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>Models (*.json *.bin);;AttnScope models (*.json);;llama2.c checkpoints (*.bin);;All files (*)</source>
        <translation>模型 (*.json *.bin);;AttnScope 模型 (*.json);;llama2.c 检查点 (*.bin);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open Model &amp;Folder…</source>
        <translation>打开模型文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+M</source>
        <translation>Ctrl+Shift+M</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder (GPT-2, BERT, RoBERTa, DistilBERT)</source>
        <translation>打开 Hugging Face 模型文件夹（GPT-2、BERT、RoBERTa、DistilBERT）</translation>
    </message>
    <message>
        <source>Open Hugging Face Model Folder</source>
        <translation>打开 Hugging Face 模型文件夹</translation>
    </message>
    <message>
        <source>Open &amp;Image…</source>
        <translation>打开图像(&amp;I)…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+I</source>
        <translation>Ctrl+Shift+I</translation>
    </message>
    <message>
        <source>Run the current ViT model (e.g. models/hf/vit-digits) on an image</source>
        <translation>在图像上运行当前的 ViT 模型（例如 models/hf/vit-digits）</translation>
    </message>
    <message>
        <source>Open Image</source>
        <translation>打开图像</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)</source>
        <translation>图像 (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Export Image</source>
        <translation>导出图像</translation>
    </message>
    <message>
        <source>Export All Heads</source>
        <translation>导出全部头</translation>
    </message>
    <message>
        <source>Export Each Head Into</source>
        <translation>逐头导出到</translation>
    </message>
    <message>
        <source>Export Data</source>
        <translation>导出数据</translation>
    </message>
    <message>
        <source>CSV table (*.csv);;JSON (*.json)</source>
        <translation>CSV 表格 (*.csv);;JSON (*.json)</translation>
    </message>
    <message>
        <source>Export Interactive &amp;HTML…</source>
        <translation>导出交互式 HTML(&amp;H)…</translation>
    </message>
    <message>
        <source>One self-contained web page with every head: head view, overview, alignment</source>
        <translation>一个自包含的网页，包含每个头：头视图、总览、对齐</translation>
    </message>
    <message>
        <source>Export Interactive HTML</source>
        <translation>导出交互式 HTML</translation>
    </message>
    <message>
        <source>Web page (*.html)</source>
        <translation>网页 (*.html)</translation>
    </message>
    <message>
        <source>Image copied to the clipboard</source>
        <translation>图像已复制到剪贴板</translation>
    </message>
    <message>
        <source>About AttnScope</source>
        <translation>关于 AttnScope</translation>
    </message>
    <message>
        <source>&lt;b&gt;AttnScope %1&lt;/b&gt;&lt;p&gt;Live attention heatmaps for small transformers. Every number shown comes from the AttnScope C++ engine.&lt;/p&gt;</source>
        <translation>&lt;b&gt;AttnScope %1&lt;/b&gt;&lt;p&gt;小型 Transformer 的实时注意力热图。显示的每个数字都来自 AttnScope 的 C++ 引擎。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;Guide to This View</source>
        <translation>本视图指南(&amp;G)</translation>
    </message>
    <message>
        <source>Guide: %1</source>
        <translation>指南：%1</translation>
    </message>
    <message>
        <source>AttnScope</source>
        <translation>AttnScope</translation>
    </message>
    <message>
        <source>%1: out of memory while loading the model</source>
        <translation>%1：加载模型时内存不足</translation>
    </message>
    <message>
        <source>%1

%2</source>
        <translation>%1

%2</translation>
    </message>
    <message>
        <source>Open Image needs a ViT model (e.g. models/hf/vit-digits): open one with File › Open Model Folder…</source>
        <translation>“打开图像”需要 ViT 模型（例如 models/hf/vit-digits）：请用“文件 › 打开模型文件夹…”打开一个</translation>
    </message>
    <message>
        <source>Cannot open the model.</source>
        <translation>无法打开模型。</translation>
    </message>
    <message>
        <source>Cannot open the training snapshot %1.</source>
        <translation>无法打开训练快照 %1。</translation>
    </message>
    <message>
        <source>Training snapshot %1 of %2: %3</source>
        <translation>训练快照 %1 / %2：%3</translation>
    </message>
    <message>
        <source>AttnScope — %1</source>
        <translation>AttnScope — %1</translation>
    </message>
    <message>
        <source>&amp;Clear Menu</source>
        <translation>清除菜单(&amp;C)</translation>
    </message>
    <message>
        <source>(no bundled models found)</source>
        <translation>（未找到内置模型）</translation>
    </message>
    <message>
        <source>&amp;Rescan Models Folder</source>
        <translation>重新扫描模型文件夹(&amp;R)</translation>
    </message>
    <message>
        <source>%1
(click to run this example)</source>
        <translation>%1
（点击运行此示例）</translation>
    </message>
    <message>
        <source>Mean ablation: %1 (run without it)</source>
        <translation>均值消融：%1（不含它运行）</translation>
    </message>
    <message numerus="yes">
        <source>%n source token(s)</source>
        <translation>
            <numerusform>%n 个源词元</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> · %n target token(s)</source>
        <translation>
            <numerusform> · %n 个目标词元</numerusform>
        </translation>
    </message>
    <message>
        <source> · forward %1 ms</source>
        <translation> · 前向 %1 毫秒</translation>
    </message>
    <message>
        <source> (%1 of %2 tokens recomputed)</source>
        <translation> （重算了 %2 个词元中的 %1 个）</translation>
    </message>
    <message>
        <source> · head analysis %1 ms</source>
        <translation> · 头分析 %1 毫秒</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>平均</translation>
    </message>
    <message>
        <source>zero</source>
        <translation>置零</translation>
    </message>
    <message>
        <source> · ⊘ 1 head switched off (%1 ablation)</source>
        <translation> · ⊘ 关闭了 1 个头（%1消融）</translation>
    </message>
    <message>
        <source> · ⊘ %1 heads switched off (%2 ablation)</source>
        <translation> · ⊘ 关闭了 %1 个头（%2消融）</translation>
    </message>
    <message>
        <source>generated</source>
        <translation>已生成</translation>
    </message>
    <message>
        <source>decoder input</source>
        <translation>解码器输入</translation>
    </message>
    <message>
        <source>&lt;b&gt;Model output&lt;/b&gt; (teacher-forced)</source>
        <translation>&lt;b&gt;模型输出&lt;/b&gt;（教师强制）</translation>
    </message>
    <message>
        <source>&lt;b&gt;Generated output&lt;/b&gt;</source>
        <translation>&lt;b&gt;生成的输出&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;br&gt;&lt;b&gt;The model&apos;s choice at each position&lt;/b&gt; and its probability (teacher-forced: not always the target):</source>
        <translation>&lt;br&gt;&lt;br&gt;&lt;b&gt;模型在每个位置的选择&lt;/b&gt;及其概率（教师强制：不一定是目标）：</translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;br&gt;&lt;b&gt;Each generated token&lt;/b&gt; and its probability:</source>
        <translation>&lt;br&gt;&lt;br&gt;&lt;b&gt;每个生成的词元&lt;/b&gt;及其概率：</translation>
    </message>
    <message>
        <source>Step %1: p(%2) = %3 after %4 decoder token(s); Timeline shows the alternatives</source>
        <translation>第 %1 步：p(%2) = %3，位于 %4 个解码器词元之后；时间线中可查看其他候选</translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;br&gt;&lt;b&gt;Next token after the decoder input:&lt;/b&gt;</source>
        <translation>&lt;br&gt;&lt;br&gt;&lt;b&gt;解码器输入之后的下一个词元：&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Next token&lt;/b&gt;</source>
        <translation>&lt;b&gt;下一个词元&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Continuation&lt;/b&gt;&lt;br&gt;%1</source>
        <translation>&lt;b&gt;续写&lt;/b&gt;&lt;br&gt;%1</translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;br&gt;&lt;b&gt;Next token after the prompt:&lt;/b&gt;</source>
        <translation>&lt;br&gt;&lt;br&gt;&lt;b&gt;提示之后的下一个词元：&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Filled in&lt;/b&gt;&lt;br&gt;%1&lt;br&gt;&lt;br&gt;&lt;b&gt;Predictions for the first [MASK]:&lt;/b&gt;</source>
        <translation>&lt;b&gt;填充结果&lt;/b&gt;&lt;br&gt;%1&lt;br&gt;&lt;br&gt;&lt;b&gt;第一个 [MASK] 的预测：&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Encoder-only model&lt;/b&gt;&lt;br&gt;Type a mask token (e.g. [MASK]) to see the model&apos;s predictions.</source>
        <translation>&lt;b&gt;仅编码器模型&lt;/b&gt;&lt;br&gt;输入一个掩码词元（例如 [MASK]）即可查看模型的预测。</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>The most probable next tokens</source>
        <translation>最可能的下一个词元</translation>
    </message>
    <message>
        <source>Each output token, in order</source>
        <translation>每个输出词元，按顺序</translation>
    </message>
    <message>
        <source>Export failed.

%1</source>
        <translation>导出失败。

%1</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>%1-attention, all heads</source>
        <translation>%1注意力，全部头</translation>
    </message>
    <message>
        <source>nothing to export</source>
        <translation>没有可导出的内容</translation>
    </message>
    <message>
        <source>Saved %1 files in %2</source>
        <translation>已保存 %1 个文件到 %2</translation>
    </message>
    <message>
        <source>%1: nothing to export</source>
        <translation>%1：没有可导出的内容</translation>
    </message>
    <message>
        <source>%1: unknown data format (use .csv or .json)</source>
        <translation>%1：未知的数据格式（请使用 .csv 或 .json）</translation>
    </message>
    <message>
        <source>%1: no census to export</source>
        <translation>%1：没有可导出的普查</translation>
    </message>
    <message>
        <source>%1: nothing to save: open a model first</source>
        <translation>%1：没有可保存的内容：请先打开一个模型</translation>
    </message>
    <message>
        <source>Cannot save the session.

%1</source>
        <translation>无法保存会话。

%1</translation>
    </message>
    <message>
        <source>Saved session %1</source>
        <translation>已保存会话 %1</translation>
    </message>
    <message>
        <source>Cannot open the session; nothing was changed.

%1</source>
        <translation>无法打开会话；未做任何更改。

%1</translation>
    </message>
    <message>
        <source>out of memory while loading the model</source>
        <translation>加载模型时内存不足</translation>
    </message>
    <message>
        <source>%1: /model: the model &quot;%2&quot; (%3) could not be loaded:

%4</source>
        <translation>%1：/model：无法加载模型“%2”（%3）：

%4</translation>
    </message>
    <message>
        <source>Opened session %1</source>
        <translation>已打开会话 %1</translation>
    </message>
    <message>
        <source>Opened session %1 (its notes are in the Notes panel)</source>
        <translation>已打开会话 %1（其笔记在“笔记”面板中）</translation>
    </message>
    <message>
        <source>AttnScope sessions (*%1);;JSON (*.json);;All files (*)</source>
        <translation>AttnScope 会话 (*%1);;JSON (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open Session</source>
        <translation>打开会话</translation>
    </message>
    <message>
        <source>Save Session</source>
        <translation>保存会话</translation>
    </message>
    <message>
        <source>Nothing to copy: open a model and type an input</source>
        <translation>没有可复制的内容：请打开一个模型并输入文本</translation>
    </message>
    <message>
        <source>Copied the %1 × %2 matrix to the clipboard as CSV</source>
        <translation>已把 %1 × %2 矩阵以 CSV 复制到剪贴板</translation>
    </message>
</context>
<context>
    <name>attnscope::NeuronCanvas</name>
    <message>
        <source>k_j: keys
d = 0 … %1</source>
        <translation>k_j：键
d = 0 … %1</translation>
    </message>
    <message>
        <source>q_i ⊙ k_j
q_i[d] · k_j[d]</source>
        <translation>q_i ⊙ k_j
q_i[d] · k_j[d]</translation>
    </message>
    <message>
        <source>q_i · k_j
= Σ of products</source>
        <translation>q_i · k_j
= 各乘积之和</translation>
    </message>
    <message>
        <source>A_ij = softmax(s/τ)_j
τ = %1</source>
        <translation>A_ij = softmax(s/τ)_j
τ = %1</translation>
    </message>
    <message>
        <source>q_%1 “%2”</source>
        <translation>q_%1“%2”</translation>
    </message>
    <message>
        <source>%1 → −∞</source>
        <translation>%1 → −∞</translation>
    </message>
    <message>
        <source>0 (masked)</source>
        <translation>0（被掩码）</translation>
    </message>
    <message>
        <source>Colours: q and k blue −%1 … white 0 … red %1 · products blue −%2 … red %2 · weights: colour map 0 … 1%3 · hover: a cell&apos;s value · click a row: how its weight is made</source>
        <translation>颜色：q 和 k 蓝 −%1 … 白 0 … 红 %1 · 乘积 蓝 −%2 … 红 %2 · 权重：色图 0 … 1%3 · 悬停：格子的值 · 点击一行：其权重如何得出</translation>
    </message>
    <message>
        <source> · veiled rows: masked keys</source>
        <translation> · 蒙灰的行：被掩码的键</translation>
    </message>
    <message>
        <source>q_%1[%2] = %3</source>
        <translation>q_%1[%2] = %3</translation>
    </message>
    <message>
        <source>key %1 “%2”</source>
        <translation>键 %1“%2”</translation>
    </message>
    <message>
        <source>%1
k_%2[%3] = %4</source>
        <translation>%1
k_%2[%3] = %4</translation>
    </message>
    <message>
        <source>%1
q_%2[%3] · k_%4[%3] = %5 × %6 = %7</source>
        <translation>%1
q_%2[%3] · k_%4[%3] = %5 × %6 = %7</translation>
    </message>
    <message>
        <source>%1
q·k = %2, s = %2 / √%3 = %4, A = %5%6</source>
        <translation>%1
q·k = %2，s = %2 / √%3 = %4，A = %5%6</translation>
    </message>
    <message>
        <source> (masked)</source>
        <translation> （被掩码）</translation>
    </message>
    <message>
        <source>s_j = q_i·k_j / √d_k
(÷ √%1)</source>
        <translation>s_j = q_i·k_j / √d_k
（÷ √%1）</translation>
    </message>
    <message>
        <source>A_ij = softmax_j(q_i·k_j / √d_k / τ) · the products q_i[d]·k_j[d] sum to the score q_i·k_j</source>
        <translation>A_ij = softmax_j(q_i·k_j / √d_k / τ) · 乘积 q_i[d]·k_j[d] 之和即得分 q_i·k_j</translation>
    </message>
</context>
<context>
    <name>attnscope::NotesPanel</name>
    <message>
        <source>Notes</source>
        <translation>笔记</translation>
    </message>
    <message>
        <source>Notes for this lesson: what to show, what to ask. They are saved in the session file (File › Save Session).</source>
        <translation>本课的笔记：要展示什么、要提什么问题。它们保存在会话文件中（文件 › 保存会话）。</translation>
    </message>
    <message>
        <source>The lesson&apos;s notes, saved in the session file and shown again when it is opened</source>
        <translation>本课的笔记，保存在会话文件中，打开会话时再次显示</translation>
    </message>
</context>
<context>
    <name>attnscope::OverviewView</name>
    <message>
        <source>No attention for this stack</source>
        <translation>此栈没有注意力</translation>
    </message>
    <message>
        <source>%1-attention: every layer × head (rows are queries, columns keys)</source>
        <translation>%1注意力：每个层 × 头（行是查询，列是键）</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>平均</translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>头 %1</translation>
    </message>
    <message>
        <source>L%1</source>
        <translation>L%1</translation>
    </message>
    <message>
        <source>attention weight (log scale)</source>
        <translation>注意力权重（对数刻度）</translation>
    </message>
    <message>
        <source>attention weight</source>
        <translation>注意力权重</translation>
    </message>
    <message>
        <source>masked (future key)</source>
        <translation>被掩码（未来键）</translation>
    </message>
    <message>
        <source>mean of heads</source>
        <translation>各头平均</translation>
    </message>
    <message>
        <source>layer %1, %2 — click to open</source>
        <translation>第 %1 层，%2 — 点击打开</translation>
    </message>
    <message>
        <source>&amp;Overview</source>
        <translation>总览(&amp;O)</translation>
    </message>
    <message>
        <source>&lt;p&gt;Every layer (rows) and head (columns) of the chosen stack as a thumbnail, and the layer&apos;s mean last. Click one to open it in the head view. Switched-off heads are crossed out.&lt;/p&gt;</source>
        <translation>&lt;p&gt;所选栈的每一层（行）和每个头（列）的缩略图，每层最后是该层的平均。点击一个即可在头视图中打开。关闭的头会打叉。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>attnscope::PatchOverlayView</name>
    <message>
        <source>Open an image (File › Open Image…)</source>
        <translation>打开一张图像（文件 › 打开图像…）</translation>
    </message>
</context>
<context>
    <name>attnscope::RevisionSlider</name>
    <message>
        <source>Training checkpoints of this model, in order of training step: move to load another one. The input, the view and the selected head stay.</source>
        <translation>此模型的训练检查点，按训练步排序：移动滑块加载另一个。输入、视图和所选头保持不变。</translation>
    </message>
    <message>
        <source>Training &amp;step %1 (%2 of %3) — release to load</source>
        <translation>训练步 %1（%3 中的第 %2 个）— 松开以加载(&amp;S)</translation>
    </message>
    <message>
        <source>Training &amp;step %1 (%2 of %3)</source>
        <translation>训练步 %1（%3 中的第 %2 个）(&amp;S)</translation>
    </message>
</context>
<context>
    <name>attnscope::RolloutView</name>
    <message>
        <source>Attention rollout</source>
        <translation>注意力展开</translation>
    </message>
    <message>
        <source>Attention flow (up to %1 tokens)</source>
        <translation>注意力流（最多 %1 个词元）</translation>
    </message>
    <message>
        <source>contribution of input token</source>
        <translation>输入词元的贡献</translation>
    </message>
    <message>
        <source>R = A′_L · … · A′_1 with A′_l = 0.5·mean(A_l) + 0.5·I (rows renormalised), mean(A_l) the mean of layer l&apos;s heads. Row i: how much each input token contributes to position i at the top.</source>
        <translation>R = A′_L · … · A′_1，其中 A′_l = 0.5·mean(A_l) + 0.5·I（行重新归一化），mean(A_l) 为第 l 层各头的平均。第 i 行：每个输入词元对顶层位置 i 的贡献。</translation>
    </message>
    <message>
        <source>F(i, j) = max-flow from input token j to position i at the top through the layers, edge capacities A′_l(i, j). Offered up to %1 tokens (cost grows fast).</source>
        <translation>F(i, j) = 从输入词元 j 经各层到顶层位置 i 的最大流，边容量为 A′_l(i, j)。最多支持 %1 个词元（计算量增长很快）。</translation>
    </message>
    <message>
        <source>&lt;p&gt;Choose one with the Stack selector above: %1.&lt;/p&gt;</source>
        <translation>&lt;p&gt;请用上方的“栈”选择器选择一个：%1。&lt;/p&gt;</translation>
    </message>
    <message>
        <source> or </source>
        <translation> 或 </translation>
    </message>
    <message>
        <source>&amp;Rollout</source>
        <translation>展开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Rollout / Flow</source>
        <translation>展开 / 流(&amp;R)</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Attention rollout&lt;/b&gt; (Abnar &amp;amp; Zuidema 2020): per layer, A′ = ½·mean(A) + ½·I with rows renormalised (mean(A) the mean of the layer&apos;s heads); R = A′_L ⋯ A′_1. Row i says how much each input token contributes to position i at the top. &lt;b&gt;Flow&lt;/b&gt; treats the layers as a graph with capacities A′ and takes max-flow values. Self-attention stacks only.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;注意力展开&lt;/b&gt;（Abnar 与 Zuidema，2020）：每层 A′ = ½·mean(A) + ½·I，行重新归一化（mean(A) 为该层各头的平均）；R = A′_L ⋯ A′_1。第 i 行表示每个输入词元对顶层位置 i 的贡献。&lt;b&gt;流&lt;/b&gt;把各层看作容量为 A′ 的图，取最大流的值。仅适用于自注意力栈。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>attnscope::StepCanvas</name>
    <message>
        <source>1. Queries
Q = X·W_Q</source>
        <translation>1. 查询
Q = X·W_Q</translation>
    </message>
    <message>
        <source>2. Keys
K = X·W_K</source>
        <translation>2. 键
K = X·W_K</translation>
    </message>
    <message>
        <source>3. Values
V = X·W_V</source>
        <translation>3. 值
V = X·W_V</translation>
    </message>
    <message>
        <source>4. Scores
Q·Kᵀ</source>
        <translation>4. 得分
Q·Kᵀ</translation>
    </message>
    <message>
        <source>6. Masked
S + M, M = −∞</source>
        <translation>6. 掩码
S + M，M = −∞</translation>
    </message>
    <message>
        <source>7. Weights (τ = %1)
A = softmax((S+M)/τ)</source>
        <translation>7. 权重（τ = %1）
A = softmax((S+M)/τ)</translation>
    </message>
    <message>
        <source>8. Output
O = A·V</source>
        <translation>8. 输出
O = A·V</translation>
    </message>
    <message>
        <source>colour 0 … 1</source>
        <translation>颜色 0 … 1</translation>
    </message>
    <message>
        <source>blue −%1 … red %1</source>
        <translation>蓝 −%1 … 红 %1</translation>
    </message>
    <message>
        <source>dim %1</source>
        <translation>维度 %1</translation>
    </message>
    <message>
        <source>%1
%2 (row %3), %4: %5%6</source>
        <translation>%1
%2（第 %3 行），%4：%5%6</translation>
    </message>
    <message>
        <source>
click to see how this weight is made</source>
        <translation>
点击查看此权重如何得出</translation>
    </message>
    <message>
        <source>5. Scaled (√d_k = √%1)
S = Q·Kᵀ / √d_k</source>
        <translation>5. 缩放（√d_k = √%1）
S = Q·Kᵀ / √d_k</translation>
    </message>
</context>
<context>
    <name>attnscope::StepThroughView</name>
    <message>
        <source>Softmax temperature τ:</source>
        <translation>Softmax 温度 τ：</translation>
    </message>
    <message>
        <source>Reset (τ = 1)</source>
        <translation>重置（τ = 1）</translation>
    </message>
    <message>
        <source>τ divides this head&apos;s scaled scores before its softmax, so steps 7 (A) and 8 (O = A·V) and the weights of the query/key view change; the model&apos;s forward pass, the other views and the predictions keep τ = 1.</source>
        <translation>τ 在 softmax 之前除以该头的缩放得分，因此第 7 步（A）、第 8 步（O = A·V）以及查询/键视图中的权重会改变；模型的前向计算、其他视图和预测仍保持 τ = 1。</translation>
    </message>
    <message>
        <source>&amp;Query token:</source>
        <translation>查询词元(&amp;Q)：</translation>
    </message>
    <message>
        <source>The query whose vector q_i is compared with every key vector k_j</source>
        <translation>其向量 q_i 与每个键向量 k_j 比较的查询</translation>
    </message>
    <message>
        <source>or click a row of step 7 (A) in the steps panel; click a key&apos;s row here to explain that weight there.</source>
        <translation>或在步骤面板中点击第 7 步（A）的一行；在此点击某个键的行，即可在那里解释该权重。</translation>
    </message>
    <message>
        <source>Query · key vectors (neuron view)</source>
        <translation>查询 · 键向量（神经元视图）</translation>
    </message>
    <message>
        <source>%1-attention · layer %2 · head %3</source>
        <translation>%1注意力 · 第 %2 层 · 头 %3</translation>
    </message>
    <message>
        <source>The step-through shows one head: untick “Mean of heads”.</source>
        <translation>逐步演示只显示一个头：请取消勾选“各头平均”。</translation>
    </message>
    <message>
        <source>%1: long input, recomputing this head’s Q, K, V and scores…</source>
        <translation>%1：长输入，正在重算该头的 Q、K、V 和得分…</translation>
    </message>
    <message>
        <source>This result has no Q, K, V (it was not run with full capture).</source>
        <translation>此结果没有 Q、K、V（运行时未启用完整捕获）。</translation>
    </message>
    <message>
        <source>%1: scaled dot-product attention, step by step</source>
        <translation>%1：缩放点积注意力，逐步演示</translation>
    </message>
    <message>
        <source>%1: the head could not be recomputed.</source>
        <translation>%1：无法重算该头。</translation>
    </message>
    <message>
        <source>%1 — queries %2–%3, keys %4–%5 of %6 × %7</source>
        <translation>%1 — 查询 %2–%3，键 %4–%5，共 %6 × %7</translation>
    </message>
    <message>
        <source>%1 · query %2 “%3” against every key</source>
        <translation>%1 · 查询 %2“%3”对每个键</translation>
    </message>
    <message>
        <source>%1 · query %2 “%3” · keys %4–%5 of %6</source>
        <translation>%1 · 查询 %2“%3”· 键 %4–%5，共 %6 个</translation>
    </message>
    <message>
        <source>&lt;h3&gt;A[%1, %2]: query %1 “%3” → key %2 “%4”&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;A[%1, %2]：查询 %1“%3”→ 键 %2“%4”&lt;/h3&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;1. Dot product&lt;/b&gt; q&lt;sub&gt;%1&lt;/sub&gt; · k&lt;sub&gt;%2&lt;/sub&gt; = Σ&lt;sub&gt;d&lt;/sub&gt; q[d]·k[d]&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;1. 点积&lt;/b&gt; q&lt;sub&gt;%1&lt;/sub&gt; · k&lt;sub&gt;%2&lt;/sub&gt; = Σ&lt;sub&gt;d&lt;/sub&gt; q[d]·k[d]&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;td colspan=3&gt;&lt;b&gt;sum&lt;/b&gt;&lt;/td&gt;&lt;td align=right&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;tr&gt;&lt;td colspan=3&gt;&lt;b&gt;和&lt;/b&gt;&lt;/td&gt;&lt;td align=right&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;3. Mask&lt;/b&gt; key %1 is &lt;b&gt;masked&lt;/b&gt; for query %2: s + M = −∞, weight 0.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;3. 掩码&lt;/b&gt; 对查询 %2，键 %1 &lt;b&gt;被掩码&lt;/b&gt;：s + M = −∞，权重 0。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;3. Mask&lt;/b&gt; key %1 is allowed for query %2: M = 0.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;3. 掩码&lt;/b&gt; 对查询 %2，键 %1 可见：M = 0。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;td colspan=4&gt;&lt;i&gt;keys 0–%1 not listed&lt;/i&gt;&lt;/td&gt;&lt;/tr&gt;</source>
        <translation>&lt;tr&gt;&lt;td colspan=4&gt;&lt;i&gt;键 0–%1 未列出&lt;/i&gt;&lt;/td&gt;&lt;/tr&gt;</translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;td colspan=4&gt;&lt;i&gt;keys %1–%2 not listed&lt;/i&gt;&lt;/td&gt;&lt;/tr&gt;</source>
        <translation>&lt;tr&gt;&lt;td colspan=4&gt;&lt;i&gt;键 %1–%2 未列出&lt;/i&gt;&lt;/td&gt;&lt;/tr&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;A[%1, %2] = %3 / %4 = &lt;b&gt;%5&lt;/b&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;A[%1, %2] = %3 / %4 = &lt;b&gt;%5&lt;/b&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;Step-through</source>
        <translation>逐步演示(&amp;S)</translation>
    </message>
    <message>
        <source>&lt;p&gt;softmax(QKᵀ/√d_k + M)·V for the selected head, one step per map: Q, K, the scores QKᵀ, scaled by √d_k, masked (future keys under a causal mask), the weights at temperature τ, V and the output. Click a weight to see its numbers explained; the Query · key tab shows one query&apos;s dot products with every key.&lt;/p&gt;</source>
        <translation>&lt;p&gt;所选头的 softmax(QKᵀ/√d_k + M)·V，每张图一步：Q、K、得分 QKᵀ、按 √d_k 缩放、掩码（因果掩码下的未来键）、温度 τ 下的权重、V 和输出。点击一个权重查看其数值解释；“查询 · 键”标签页显示一个查询与每个键的点积。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Steps 1–8: Q, K, V → A·V</source>
        <translation>第 1–8 步：Q、K、V → A·V</translation>
    </message>
    <message>
        <source>&lt;p&gt;Click a cell of steps 4–7 to see how its weight is made.&lt;/p&gt;</source>
        <translation>&lt;p&gt;点击第 4–7 步中的一个格子，查看其权重如何得出。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;2. Scale&lt;/b&gt; s = %1 × 1/√d_k = %1 × %2 = &lt;b&gt;%3&lt;/b&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;2. 缩放&lt;/b&gt; s = %1 × 1/√d_k = %1 × %2 = &lt;b&gt;%3&lt;/b&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;4. Softmax of row %1&lt;/b&gt; at τ = %2: ℓ = s/τ, m = max ℓ = %3, e = exp(ℓ − m), A = e / Σe&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;4. 第 %1 行的 softmax&lt;/b&gt;，τ = %2：ℓ = s/τ，m = max ℓ = %3，e = exp(ℓ − m)，A = e / Σe&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;td colspan=2&gt;&lt;b&gt;Σe&lt;/b&gt;&lt;/td&gt;&lt;td align=right&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;td&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;tr&gt;&lt;td colspan=2&gt;&lt;b&gt;Σe&lt;/b&gt;&lt;/td&gt;&lt;td align=right&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;td&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
</context>
<context>
    <name>attnscope::TimelineView</name>
    <message>
        <source>&amp;Generate a continuation</source>
        <translation>生成续写(&amp;G)</translation>
    </message>
    <message>
        <source>Tick Generate: the model continues the prompt greedily</source>
        <translation>勾选“生成”：模型贪心地续写提示</translation>
    </message>
    <message>
        <source>First</source>
        <translation>首步</translation>
    </message>
    <message>
        <source>First step (Home)</source>
        <translation>第一步（Home）</translation>
    </message>
    <message>
        <source>◀ Back</source>
        <translation>◀ 上一步</translation>
    </message>
    <message>
        <source>Previous step (Left)</source>
        <translation>上一步（左方向键）</translation>
    </message>
    <message>
        <source>Drag to scrub through the decoding steps (Left / Right when focused)</source>
        <translation>拖动以浏览解码步骤（获得焦点时用左/右方向键）</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>下一步 ▶</translation>
    </message>
    <message>
        <source>Next step (Right)</source>
        <translation>下一步（右方向键）</translation>
    </message>
    <message>
        <source>Last</source>
        <translation>末步</translation>
    </message>
    <message>
        <source>Last step (End)</source>
        <translation>最后一步（End）</translation>
    </message>
    <message>
        <source>▶ Play</source>
        <translation>▶ 播放</translation>
    </message>
    <message>
        <source>Step through automatically (Space)</source>
        <translation>自动逐步播放（空格）</translation>
    </message>
    <message>
        <source>Next token</source>
        <translation>下一个词元</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>The step&apos;s top-%1 next-token probabilities (softmax of the logits at the step&apos;s row)</source>
        <translation>该步 top-%1 的下一词元概率（该步所在行 logits 的 softmax）</translation>
    </message>
    <message>
        <source>Open a model to see its decoding steps.</source>
        <translation>打开一个模型以查看其解码步骤。</translation>
    </message>
    <message>
        <source>long input: recomputing this head…</source>
        <translation>长输入：正在重算该头…</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>&lt;b&gt;Generation timeline&lt;/b&gt; of the continuation: %1 decoding steps (0–%2), one per generated token.</source>
        <translation>续写的&lt;b&gt;生成时间线&lt;/b&gt;：%1 个解码步（0–%2），每个生成的词元一步。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Generation timeline&lt;/b&gt; of the decoder: %1 steps (0–%2), one per output token%3.</source>
        <translation>解码器的&lt;b&gt;生成时间线&lt;/b&gt;：%1 步（0–%2），每个输出词元一步%3。</translation>
    </message>
    <message>
        <source> (teacher-forced: each step is fed the target token)</source>
        <translation> （教师强制：每一步输入的是目标词元）</translation>
    </message>
    <message>
        <source>Attention is causal: appending a token never changes earlier rows, so row t of one forward pass over the whole output is exactly the row decoding step t computed. Each step shows the rows computed so far (the plots grow with them; double-click one for the whole matrix); the step&apos;s row is outlined.%1</source>
        <translation>注意力是因果的：追加一个词元不会改变之前的行，因此对整个输出做一次前向计算所得的第 t 行，正是解码第 t 步算出的那一行。每一步显示到目前为止已算出的行（图随之增长；双击某张图可查看整个矩阵）；该步的行带有外框。%1</translation>
    </message>
    <message>
        <source> The prompt&apos;s rows are all computed at the first step.</source>
        <translation> 提示部分的所有行都在第一步算出。</translation>
    </message>
    <message>
        <source>Step %1 of 0–%2 · row %3</source>
        <translation>第 %1 步（0–%2）· 第 %3 行</translation>
    </message>
    <message>
        <source>&lt;b&gt;Source:&lt;/b&gt; </source>
        <translation>&lt;b&gt;源端：&lt;/b&gt; </translation>
    </message>
    <message>
        <source>&lt;b&gt;Decoder input so far:&lt;/b&gt; </source>
        <translation>&lt;b&gt;目前的解码器输入：&lt;/b&gt; </translation>
    </message>
    <message>
        <source>&lt;b&gt;Seen so far&lt;/b&gt; (prompt grey): </source>
        <translation>&lt;b&gt;目前已见&lt;/b&gt;（提示为灰色）： </translation>
    </message>
    <message>
        <source>Step %1: the model&apos;s choice is &lt;b&gt;%2&lt;/b&gt; with p = %3</source>
        <translation>第 %1 步：模型选择 &lt;b&gt;%2&lt;/b&gt;，p = %3</translation>
    </message>
    <message>
        <source>Step %1 chose &lt;b&gt;%2&lt;/b&gt; with p = %3</source>
        <translation>第 %1 步选择了 &lt;b&gt;%2&lt;/b&gt;，p = %3</translation>
    </message>
    <message>
        <source>; teacher forcing feeds the target token &lt;b&gt;%1&lt;/b&gt; to the next step</source>
        <translation>；教师强制把目标词元 &lt;b&gt;%1&lt;/b&gt; 送入下一步</translation>
    </message>
    <message>
        <source>%1 · step %2: rows 0–%3</source>
        <translation>%1 · 第 %2 步：第 0–%3 行</translation>
    </message>
    <message>
        <source>&amp;Timeline</source>
        <translation>时间线(&amp;T)</translation>
    </message>
    <message>
        <source>Generation &amp;Timeline</source>
        <translation>生成时间线(&amp;T)</translation>
    </message>
    <message>
        <source>&lt;p&gt;Scrub through the decoding steps: at step t the token chosen, its probability and the alternatives, and the selected head&apos;s attention with only the rows computed so far (later rows grey, their labels hidden so the answer is not given away).&lt;/p&gt;</source>
        <translation>&lt;p&gt;逐步浏览解码过程：第 t 步所选的词元、它的概率和其他候选，以及所选头的注意力，只显示到目前为止已算出的行（后面的行为灰色，标签隐藏，以免泄露答案）。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>attnscope::TruncationBanner</name>
    <message>
        <source>1 token dropped</source>
        <translation>丢弃了 1 个词元</translation>
    </message>
    <message>
        <source>%1 tokens dropped</source>
        <translation>丢弃了 %1 个词元</translation>
    </message>
    <message>
        <source>&lt;b&gt;⚠ The %1 is cut at max_len %2: %3&lt;/b&gt; (of %4) — every view and the prediction are for the shortened %1. Not seen: “%5”</source>
        <translation>&lt;b&gt;⚠ %1在 max_len %2 处被截断：%3&lt;/b&gt;（共 %4）— 所有视图和预测都基于截断后的%1。未被看到的：“%5”</translation>
    </message>
    <message>
        <source>Dropped from the %1 (%2 tokens):
%3</source>
        <translation>从%1中丢弃（%2 个词元）：
%3</translation>
    </message>
    <message>
        <source>input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>target</source>
        <translation>目标</translation>
    </message>
</context>
</TS>
