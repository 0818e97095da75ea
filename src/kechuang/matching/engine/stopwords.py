"""Hand-written stop list (Chinese function words, paper/demand boilerplate, English).

Why: long enterprise demands are padded with words like "需求", "公司", "解决"; papers
with "本文", "结果表明".  IDF alone under-weights them too little in 2,000-doc
corpora, and key-term coverage (confidence) must not count them.
"""

from __future__ import annotations

_ZH_FUNCTION = """
的 了 和 与 及 或 在 是 为 对 以 于 从 由 被 把 将 这 那 其 之 等 并 而 且 也 又 都 就
所 向 中 上 下 内 外 后 前 时 个 种 些 各 每 该 此 本 我 我们 你 他 她 它 他们 其中 其他
一 一个 一种 一些 一定 一般 二 三 多 很 较 更 最 还 不 没有 无 有 有着 具有 没 能 能够
可 可以 可能 会 应 应该 需 需要 要 使 使得 让 得 地 着 过 如 如何 若 如果 因 因为 所以
因此 但 但是 然而 同时 此外 另外 以及 以上 以下 以便 通过 根据 按照 关于 对于 针对
基于 利用 采用 使用 运用 进行 进一步 开展 实现 提高 提升 加强 促进 增强 结合 包括
包含 主要 重要 相关 有关 相应 不同 相同 各种 各类 多种 一系列 方面 情况 问题 目前
当前 现有 已经 已 正在 随着 不断 越来越 日益 以来 之间 之后 之前 其次 首先 最后 然后
即 即可 既 及其 并且 而且 甚至 尤其 特别 例如 比如 诸如 达到 得到 作为 成为 属于 位于
"""

_ZH_PAPER = """
本文 文章 论文 研究 分析 探讨 讨论 介绍 阐述 综述 提出 建立 构建 设计 方法 结果 表明
结果表明 研究表明 发现 显示 认为 指出 说明 证明 验证 实验 试验 数据 影响 作用 效果
因素 特点 特征 应用 意义 价值 基础 条件 过程 方式 途径 策略 措施 对策 建议 思路 现状
发展 趋势 前景 问题 原因 目的 对象 内容 范围 水平 能力 程度 良好 较好 明显 显著 有效
有效性 可行性 合理 一定 具体 基本 主要 系统 理论 实践 模式 机制 体系 方面
"""

_ZH_DEMAND = """
需求 需求内容 技术需求 需求描述 公司 企业 我公司 本公司 单位 项目 课题 研发 开发 研制
攻关 解决 解决方案 技术 技术难题 难题 关键 关键技术 产品 客户 市场 要求 满足 实现
目标 预期 希望 寻求 寻找 合作 合作方式 联合 提供 支持 服务 进行 完成 计划 拟 亟需
急需 急待 亟待 目前 现阶段 国内 国外 行业 领域 社会 不断 发展 经验 积累 特 此 以上
"""

_EN = """
a an the and or of to in on for with by from at as is are was were be been being this that
these those it its we our you your they their he she his her not no but if then than so such
can could may might will would should shall do does did done has have had having into over
under via using use used based study paper results result method methods approach new also
which who whom what when where why how all any each both more most other some only
"""

STOPWORDS: frozenset[str] = frozenset(
    w for block in (_ZH_FUNCTION, _ZH_PAPER, _ZH_DEMAND, _EN) for w in block.split()
)
