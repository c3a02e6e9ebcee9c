<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Actions</name>
    <message>
        <location filename="../../desktop/ui/actions/texts.py" line="+13"/>
        <source>Agree refund</source>
        <translation>同意退款</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Agree return</source>
        <translation>同意退货</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Confirm receipt</source>
        <translation>确认收货</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reject</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refund changed</source>
        <translation>售后单已变化</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not applied</source>
        <translation>未生效</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Undecided</source>
        <translation>未确定</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not sent</source>
        <translation>未发送</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 refund-only request(s) for goods already shipped or received: agreeing refunds the money and the buyer keeps the goods.</source>
        <translation>%1 个仅退款申请的商品已发货或已签收：同意后退款给买家，商品也留在买家手中。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 request(s) were changed by the buyer since the list was loaded: check them again.</source>
        <translation>%1 个申请在列表加载后被买家修改过：请再核对一遍。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 return(s) confirmed before the goods came back: the money is refunded without the goods.</source>
        <translation>%1 个退货在商品寄回前就确认收货：未收到商品即退款。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 return-freight claim(s) are paid on top of the refund.</source>
        <translation>另外支付 %1 笔退货运费。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 return-freight claim(s) are rejected.</source>
        <translation>拒绝 %1 笔退货运费申请。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>shipped: the buyer keeps the goods</source>
        <translation>已发货：商品留在买家手中</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>changed by the buyer since the list was loaded</source>
        <translation>列表加载后买家已修改</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>goods not back yet</source>
        <translation>商品尚未寄回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>return freight paid</source>
        <translation>支付退货运费</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>return freight rejected</source>
        <translation>拒绝退货运费</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/actions/preview.py" line="+68"/>
        <source>Agree exchange</source>
        <extracomment>an exchange is agreed with the return call, but the seller agrees to an exchange, not a return</extracomment>
        <translation>同意换货</translation>
    </message>
</context>
<context>
    <name>ActionsUi</name>
    <message>
        <location filename="../../desktop/ui/actions/__init__.py" line="+79"/>
        <source>Approve…</source>
        <translation>同意…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Agree the selected requests (Ctrl+Shift+A)</source>
        <translation>同意选中的售后申请（Ctrl+Shift+A）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reject…</source>
        <translation>拒绝…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reject the selected requests with one reason (Ctrl+Shift+R)</source>
        <translation>用同一个原因拒绝选中的售后申请（Ctrl+Shift+R）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Action log…</source>
        <translation>操作日志…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Approve this request…</source>
        <translation>同意此申请…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reject this request…</source>
        <translation>拒绝此申请…</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>Results of an interrupted run</source>
        <translation>中断的批量操作的结果</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Checking an interrupted run failed: %1</source>
        <translation>核对中断的批量操作失败：%1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Actions</source>
        <translation>操作(&amp;A)</translation>
    </message>
</context>
<context>
    <name>AlertBanner</name>
    <message>
        <location filename="../../desktop/ui/alerts.py" line="+60"/>
        <source>Show these requests</source>
        <translation>查看这些申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
</context>
<context>
    <name>AlertSettingsPage</name>
    <message>
        <location filename="../../desktop/ui/alert_settings.py" line="+88"/>
        <source>“%1” is not a time span: write e.g. 1 day, 6 h, 30 min</source>
        <extracomment>units a warning time may be written in, in minutes (English and Chinese, as a seller types them)</extracomment>
        <translation>“%1”不是一段时间：请写成 1天、6小时、30分钟 这样</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>“%1” must be between 1 minute and 7 days</source>
        <translation>“%1”必须在 1 分钟到 7 天之间</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>give at least one warning time</source>
        <translation>请至少填写一个提醒时间</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>%1 d</source>
        <translation>%1天</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 h</source>
        <translation>%1小时</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 min</source>
        <translation>%1分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <location line="+72"/>
        <source>Separated by commas, e.g. 1 d, 6 h, 2 h, 30 min</source>
        <translation>用逗号分隔，例如：1天，6小时，2小时，30分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No pop-ups during quiet hours</source>
        <translation>免打扰时段内不弹出提醒</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Before quiet hours begin you get one summary of every request that would expire during them.</source>
        <translation>免打扰时段开始前，会汇总提醒一次所有将在该时段内到期的申请。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Checks every minute while a request has less than 2 hours left</source>
        <translation>有申请剩余不足 2 小时时，每分钟检查一次</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start AfterSale Watch when I log in</source>
        <translation>登录系统时启动售后守望</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Warn before a deadline at:</source>
        <translation>截止前提醒时间：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Quiet hours:</source>
        <translation>免打扰时段：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Check for new requests every:</source>
        <translation>检查新申请的间隔：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Warning times: %1</source>
        <translation>提醒时间：%1</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+13"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
</context>
<context>
    <name>AuditLogDialog</name>
    <message>
        <location filename="../../desktop/ui/actions/audit_view.py" line="+67"/>
        <source>Action log</source>
        <translation>操作日志</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 action(s)</source>
        <translation>%1 条操作</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>aftersale-watch-actions.csv</source>
        <translation>售后守望-操作日志.csv</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export the action log</source>
        <translation>导出操作日志</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 action(s) exported to %2</source>
        <translation>已导出 %1 条操作到 %2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../desktop/ui/banner.py" line="+38"/>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
</context>
<context>
    <name>BulkActionFlow</name>
    <message>
        <location filename="../../desktop/ui/actions/flow.py" line="+87"/>
        <source>Sign in first</source>
        <extracomment>the dialog currently shown (tests look at it)</extracomment>
        <translation>请先登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The shop is signed out: sign in again to act on its requests.</source>
        <translation>店铺已退出登录：请重新登录后再处理售后申请。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Reading %1 request(s)…</source>
        <translation>正在读取 %1 个申请…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Preparing</source>
        <translation>准备中</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Cannot prepare the action</source>
        <translation>无法准备此操作</translation>
    </message>
</context>
<context>
    <name>ChannelDialog</name>
    <message>
        <location filename="../../desktop/ui/robots.py" line="+200"/>
        <source>Robot channel</source>
        <translation>机器人通知渠道</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edit robot channel</source>
        <translation>编辑机器人通知渠道</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>e.g. After-sale team</source>
        <translation>例如：售后群</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Saved: %1 (leave empty to keep)</source>
        <translation>已保存：%1（留空则不变）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Saved (leave empty to keep)</source>
        <translation>已保存（留空则不变）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Type:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Webhook address:</source>
        <translation>Webhook 地址：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signing secret:</source>
        <translation>加签密钥：</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>In the WeCom group: Group settings → Group robots → Add → copy the webhook address. WeCom robots have no signing secret.</source>
        <translation>在企业微信群中：群设置 → 群机器人 → 添加 → 复制 Webhook 地址。企业微信群机器人没有加签密钥。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>In the DingTalk group: Group settings → Robots → Add robot → Custom. For security choose “Sign” (加签) and paste the secret that starts with SEC here; with a keyword instead, use 售后守望 (every message contains it).</source>
        <translation>在钉钉群中：群设置 → 机器人 → 添加机器人 → 自定义。安全设置请选择“加签”，并把以 SEC 开头的密钥粘贴到这里；若改用自定义关键词，请填“售后守望”（每条消息都包含它）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>In the Feishu or Lark group: Settings → Bots → Add bot → Custom bot. If you turn on “Set signature verification”, paste that secret here.</source>
        <translation>在飞书或 Lark 群中：设置 → 群机器人 → 添加机器人 → 自定义机器人。如果开启了“签名校验”，请把该密钥粘贴到这里。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The address looks like %1</source>
        <translation>地址形如 %1</translation>
    </message>
</context>
<context>
    <name>DetailPane</name>
    <message>
        <location filename="../../desktop/ui/queue/detail.py" line="+191"/>
        <source>No browser opened</source>
        <extracomment>the Kuaishou seller backend&apos;s after-sale detail page (快手小店商家后台 · 售后详情)</extracomment>
        <translation>没有打开浏览器</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The system did not open a browser for the request. Its address was copied to the clipboard: paste it into your browser&apos;s address bar.

%1</source>
        <translation>系统没有为这个售后单打开浏览器。它的网址已复制到剪贴板：请粘贴到浏览器的地址栏中。

%1</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>sourced</source>
        <translation>有来源</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>assumed</source>
        <translation>假设</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>When the deadline passes: %1</source>
        <translation>截止后：%1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Refund ID</source>
        <translation>售后单号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Order</source>
        <translation>订单号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shop</source>
        <translation>店铺</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refund amount</source>
        <translation>退款金额</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Return freight</source>
        <translation>退货运费</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Submitted</source>
        <translation>申请时间</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Buyer reminders</source>
        <translation>买家催促</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No reason given</source>
        <translation>未填写理由</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Negotiation: %1</source>
        <translation>协商：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Picture %1</source>
        <translation>图片 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Picture %1 (not opened: not an https address)</source>
        <translation>图片 %1（不是 https 地址，不打开）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No pictures</source>
        <translation>无图片</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No deadline known for this stage.</source>
        <translation>此阶段没有已知的截止时间。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Deadline %1</source>
        <translation>截止 %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 left · deadline %2</source>
        <translation>剩余 %1 · 截止 %2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No observation recorded yet</source>
        <translation>尚无观察记录</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>deadline %1</source>
        <translation>截止 %1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>No negotiation history fetched</source>
        <translation>尚未获取协商记录</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>role %1</source>
        <translation>角色 %1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Open in the Kuaishou seller backend</source>
        <translation>在快手商家后台打开</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Opens the request in your browser</source>
        <translation>在浏览器中打开这条申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Request</source>
        <translation>申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Buyer&apos;s reason and pictures</source>
        <translation>买家理由与图片</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What the app observed</source>
        <translation>本应用观察到的变化</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Negotiation history</source>
        <translation>协商记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Select a request to see its details.</source>
        <translation>选择一条申请以查看详情。</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <location filename="../../desktop/ui/errors.py" line="+51"/>
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Something went wrong that the app did not expect. Your data is safe; the app keeps running, but the last action may not have completed.</source>
        <translation>发生了意外错误。您的数据是安全的，应用会继续运行，但上一个操作可能没有完成。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Log file: %1</source>
        <translation>日志文件：%1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Copy details</source>
        <translation>复制详细信息</translation>
    </message>
</context>
<context>
    <name>GuardBacktest</name>
    <message>
        <location filename="../../desktop/ui/guard.py" line="+224"/>
        <source>Over the last %1 days this policy would have turned %2 of %3 overdue auto-approvals (%4) into timely approvals.</source>
        <translation>过去 %1 天的 %3 个逾期自动同意中，此策略可将 %2 个（%4）变为及时处理。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>stage not guarded</source>
        <translation>所处阶段未纳入兜底</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>above the amount limit</source>
        <translation>金额超过兜底上限</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>past a daily cap</source>
        <translation>超过每日上限</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: %2 (%3)</source>
        <translation>%1（%2 个，%3）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Not caught: %1</source>
        <translation>未能兜住：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Risk level now: %1; with this guard it would have been: %2.</source>
        <translation>当前风险等级：%1；若启用此兜底策略，本应为：%2。</translation>
    </message>
</context>
<context>
    <name>GuardSettingsPage</name>
    <message>
        <location line="-171"/>
        <source>When a request waiting on you reaches its deadline, the platform agrees it in your place: the buyer gets the refund (or returns the goods) all the same, and the shop collects an overdue auto-approval, which the notice of 2023-05-09 punishes. Agreed by the shop a little before the deadline, the money and goods go exactly the same way, but the request was handled in time. You keep the whole window to look, reject or negotiate; the guard acts only in the last minutes, only inside the limits below, and tells you 15 minutes before.</source>
        <translation>待您处理的售后申请到期时，平台会替您同意：买家照样拿到退款（或退回商品），而店铺会多一条逾期自动同意——这正是 2023-05-09 公告处罚的行为。若店铺在截止前稍早自行同意，钱和货的去向完全相同，但该申请算作及时处理。您仍拥有完整的处理时间来查看、拒绝或协商；售后兜底只在最后几分钟、只在下方设定的范围内操作，并会提前 15 分钟通知您。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Agree requests shortly before their deadline (guard)</source>
        <translation>在截止前自动同意售后申请（售后兜底）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The guard of %1</source>
        <translation>%1 的售后兜底</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Stages:</source>
        <translation>阶段：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Act this long before the deadline:</source>
        <translation>提前多久处理：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Largest amount per request:</source>
        <translation>单笔金额上限：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At most per day (requests):</source>
        <translation>每日最多（单数）：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At most per day (money):</source>
        <translation>每日最多（金额）：</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Sign in to a shop to set up its guard.</source>
        <translation>请先登录店铺再设置售后兜底。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Reading the shop&apos;s history…</source>
        <translation>正在读取店铺历史…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>The shop&apos;s history cannot be read: %1</source>
        <translation>无法读取店铺历史：%1</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Choose at least one stage for the guard, or switch it off.</source>
        <translation>请至少选择一个兜底阶段，或关闭售后兜底。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The guard policy could not be saved: %1</source>
        <translation>售后兜底策略无法保存：%1</translation>
    </message>
</context>
<context>
    <name>GuideDialog</name>
    <message>
        <location filename="../../desktop/ui/guide.py" line="+40"/>
        <source>User guide</source>
        <translation>使用指南</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Open the data folder</source>
        <translation>打开数据文件夹</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open the log folder</source>
        <translation>打开日志文件夹</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>the deadline has passed: the platform may already have acted</source>
        <translation>已过截止时间：平台可能已经自动处理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>act now: only a few hours are left</source>
        <translation>请立即处理：只剩几个小时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>act today</source>
        <translation>请今天处理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>plan it: less than a day is left</source>
        <translation>请安排处理：剩余不到一天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not urgent yet</source>
        <translation>暂不紧急</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Each request in the list is coloured and marked by how much time is left before the platform acts on its own (usually: agrees the refund). The legend above the list gives the exact bounds; the symbol says the same as the colour.</source>
        <translation>列表中每个售后单的颜色和图标表示离平台自动处理（通常是自动同意退款）还剩多少时间。列表上方的图例给出具体界限；图标与颜色含义相同。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>It downloads the shop&apos;s after-sale requests every few minutes, more often when a deadline is near, and keeps them on this computer.</source>
        <translation>每隔几分钟下载一次店铺的售后单，临近截止时间时更频繁，并保存在这台电脑上。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>It warns you before each deadline: in the system tray, or in the window when there is no tray. The warning times are in Settings → Alerts.</source>
        <translation>在每个截止时间之前提醒您：通过系统托盘；没有托盘时在窗口中提醒。提醒时间在“设置 → 提醒”中设置。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>It approves or rejects a request only when you choose Approve or Reject and confirm the preview — or, once you switch the guard on, when it agrees a request in the last minutes before its deadline (see below). Every action sent is in Requests → Action log.</source>
        <translation>只有当您选择“同意”或“拒绝”并在预览中确认后，才会同意或拒绝售后单——开启售后兜底后，它还会在截止前最后几分钟同意售后单（见下文）。发出的每个操作都记录在“申请 → 操作日志”中。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>While the window is closed to the tray it keeps watching; after Quit, no warning comes.</source>
        <translation>窗口关闭到托盘后仍会继续守望；选择“退出”后就不再提醒。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The risk panel estimates, from the requests this app has seen, how many the platform agreed on its own because the shop did not answer in time, and compares that with the thresholds of the platform&apos;s rules. It tells you which requests to handle first to stay below them.</source>
        <translation>风险面板根据本应用见过的售后单，估算有多少因店铺未及时处理而被平台自动同意，并与平台规则中的阈值比较。它会告诉您先处理哪些售后单，才能保持在阈值以下。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>It is not the platform&apos;s own score, not a notice of a sanction, and it only knows the requests downloaded since the shop was connected.</source>
        <translation>它不是平台自己的评分，也不是处罚通知；它只了解店铺连接以来下载到的售后单。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>When a request waiting on you reaches its deadline, the platform agrees it in your place: the buyer gets the refund (or returns the goods) all the same, and the shop collects an overdue auto-approval, which the notice of 2023-05-09 punishes. Agreed by the shop a little before the deadline, the money and the goods go exactly the same way, but the request was handled in time.</source>
        <translation>待您处理的售后申请到期时，平台会替您同意：买家照样拿到退款（或退回商品），而店铺会多一条逾期自动同意——这正是 2023-05-09 公告处罚的行为。若店铺在截止前稍早自行同意，钱和货的去向完全相同，但该申请算作及时处理。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The guard does that for you, if you switch it on in Settings → Guard (it is off by default): 45 minutes before the deadline, only for the stages you tick (refund-only requests at first), up to ¥200 per request and 20 requests or ¥2,000 a day (all adjustable). You keep the whole time before that to look, reject or negotiate.</source>
        <translation>在“设置 → 售后兜底”中开启后（默认关闭），售后兜底会替您这样做：在截止前 45 分钟，只处理您勾选的阶段（默认仅“待审核·仅退款”），单笔不超过 ¥200，每天最多 20 单或 ¥2,000（均可调整）。在此之前的全部时间，您仍可查看、拒绝或协商。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>15 minutes before it acts you get one notification; its button shows the requests, where you can still approve, reject or choose Hold from the guard (Ctrl+Shift+H). Afterwards one notification says what was done, and the action log marks the guard&apos;s actions. The settings page shows what the guard would have done over the last 90 days.</source>
        <translation>处理前 15 分钟您会收到一条通知，点击按钮即可查看这些申请，仍可同意、拒绝或选择“暂不兜底”（Ctrl+Shift+H）。处理后会再有一条通知说明结果，操作日志中会标明售后兜底的操作。设置页会显示过去 90 天里售后兜底本可做到的效果。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Data (the database of requests):</source>
        <translation>数据（售后单数据库）：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Logs (send them when you report a problem):</source>
        <translation>日志（反馈问题时请一并发送）：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings:</source>
        <translation>设置：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Exports are offered in:</source>
        <translation>导出文件默认保存在：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>App keys and tokens are kept only in the system keychain, never in these folders.</source>
        <translation>应用密钥和令牌只保存在系统钥匙串中，从不保存在这些文件夹里。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose Shop → Add shop….</source>
        <translation>选择“店铺 → 添加店铺…”。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter the key, the secret and the sign secret of your app on the Kuaishou open platform.</source>
        <translation>填写您在快手开放平台创建的应用的应用标识、应用密钥和签名密钥。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Authorise the app in the browser page that opens; the window shows the shop&apos;s requests after the first download.</source>
        <translation>在打开的浏览器页面中授权该应用；第一次下载完成后，窗口会显示店铺的售后单。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>What the colours mean</source>
        <translation>颜色代表什么</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>What the app does on its own</source>
        <translation>应用会自动做什么</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>What the risk level is, and what it is not</source>
        <translation>风险等级是什么、不是什么</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The guard: agreeing just before the deadline</source>
        <translation>售后兜底：在截止前及时同意</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Where the data and the logs are</source>
        <translation>数据和日志在哪里</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>How to connect a shop</source>
        <translation>如何连接店铺</translation>
    </message>
</context>
<context>
    <name>HelpDialogs</name>
    <message>
        <location filename="../../desktop/ui/help_menu.py" line="+64"/>
        <source>About AfterSale Watch</source>
        <translation>关于售后守望</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Version %1</source>
        <translation>版本 %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Watches your Kuaishou shop&apos;s after-sale requests and warns you before the platform approves one automatically.</source>
        <translation>守望您快手小店的售后申请，在平台超时自动同意之前提醒您。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Data folder:</source>
        <translation>数据文件夹：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Log folder:</source>
        <translation>日志文件夹：</translation>
    </message>
</context>
<context>
    <name>HoldActions</name>
    <message>
        <location filename="../../desktop/ui/guard.py" line="+191"/>
        <source>Hold from the guard</source>
        <translation>暂不兜底</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The guard will not agree the selected requests; you handle them yourself (Ctrl+Shift+H)</source>
        <translation>售后兜底不会自动同意所选申请，由您自行处理（Ctrl+Shift+H）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Let the guard act</source>
        <translation>恢复兜底</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Hold this request from the guard</source>
        <translation>此申请暂不兜底</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>%1 request(s) held from the guard</source>
        <translation>%1 个申请已设为暂不兜底</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The guard may act on %1 request(s) again</source>
        <translation>%1 个申请已恢复兜底</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Guard</source>
        <translation>售后兜底</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The hold could not be saved: %1</source>
        <translation>暂不兜底设置无法保存：%1</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../desktop/ui/login_dialog.py" line="+134"/>
        <source>Sign in to a Kuaishou shop</source>
        <translation>登录快手小店</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Sign in to your Kuaishou shop</source>
        <translation>登录您的快手小店</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enter the credentials of your shop&apos;s app from the Kuaishou open platform (开放平台 → 控制台 → 应用详情). They stay on this computer.</source>
        <translation>请填写您在快手开放平台创建的应用凭证（开放平台 → 控制台 → 应用详情）。这些信息只保存在本机。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>App key (appKey):</source>
        <translation>应用标识：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign secret (signSecret):</source>
        <translation>签名密钥：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign method:</source>
        <translation>签名方式：</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The callback address registered for your app. A loopback address (http://127.0.0.1:PORT/callback) is caught by this app; with an https callback you paste the address the browser lands on.</source>
        <translation>应用登记的回调地址。本机回环地址（http://127.0.0.1:端口/callback）由本应用自动接收；若是 https 回调地址，请把浏览器跳转后的网址粘贴回来。</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+58"/>
        <source>Authorise in the browser</source>
        <translation>在浏览器中授权</translation>
    </message>
    <message>
        <location line="-53"/>
        <source>The authorisation address appears here</source>
        <translation>授权网址将显示在这里</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Paste the address the browser landed on, or the code</source>
        <translation>粘贴浏览器跳转后的网址，或授权码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Redirected address or code:</source>
        <translation>跳转网址或授权码：</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+17"/>
        <source>App secret (appSecret):</source>
        <translation>应用密钥：</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Redirect URI:</source>
        <translation>回调地址：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Authorisation address:</source>
        <translation>授权网址：</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>optional, to refresh the token</source>
        <translation>可选，用于自动刷新令牌</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Verify and sign in</source>
        <translation>验证并登录</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Access token:</source>
        <translation>访问令牌：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refresh token:</source>
        <translation>刷新令牌：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>An access token from the developer console is valid for 48 hours; with the refresh token and the app secret the app renews it by itself.</source>
        <translation>从开发者控制台获取的访问令牌有效期为 48 小时；同时填写刷新令牌和应用密钥后，本应用会自动续期。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Paste an access token</source>
        <translation>粘贴访问令牌</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Advanced</source>
        <translation>高级</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Gateway address:</source>
        <translation>网关地址：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Authorisation page:</source>
        <translation>授权页面：</translation>
    </message>
    <message>
        <location line="+16"/>
        <location line="+64"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="-38"/>
        <source>Keys and tokens are kept in: %1</source>
        <translation>密钥和令牌保存在：%1</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Please fill in: %1</source>
        <translation>请填写：%1</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+129"/>
        <source>App key</source>
        <translation>应用标识</translation>
    </message>
    <message>
        <location line="-128"/>
        <location line="+129"/>
        <source>Sign secret</source>
        <translation>签名密钥</translation>
    </message>
    <message>
        <location line="-128"/>
        <source>App secret</source>
        <translation>应用密钥</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Redirect URI</source>
        <translation>回调地址</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Agree in the browser, then paste the address it lands on (or the code) below and press Continue. The code is valid for 2 minutes.</source>
        <translation>请在浏览器中同意授权，然后把跳转后的网址（或授权码）粘贴到下方并点击“继续”。授权码 2 分钟内有效。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No browser could be opened: copy the authorisation address into your browser.</source>
        <translation>无法打开浏览器：请把授权网址复制到浏览器中打开。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Waiting for the browser: agree to the authorisation there. This window continues by itself.</source>
        <translation>正在等待浏览器：请在浏览器中同意授权，本窗口会自动继续。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Authorised. Fetching the tokens and checking the shop…</source>
        <translation>已授权，正在获取令牌并核对店铺…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Press “Authorise in the browser” first.</source>
        <translation>请先点击“在浏览器中授权”。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Fetching the tokens and checking the shop…</source>
        <translation>正在获取令牌并核对店铺…</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Access token</source>
        <translation>访问令牌</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Checking the token…</source>
        <translation>正在验证令牌…</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Signed in to %1.</source>
        <translation>已登录：%1。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>The authorisation server refused: %1. Check the app key and app secret, and authorise again (a code works once, for 2 minutes).</source>
        <translation>授权服务器拒绝了请求：%1。请检查应用标识和应用密钥，然后重新授权（授权码只能使用一次，有效期 2 分钟）。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The gateway refused the request signature: check the sign secret (signSecret, not the app secret) and the sign method.</source>
        <translation>网关拒绝了请求签名：请检查签名密钥（不是应用密钥）和签名方式。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The gateway does not know the app key: check the app key (it starts with ks).</source>
        <translation>网关不认识这个应用标识：请核对应用标识（以 ks 开头）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The gateway does not accept the access token (it is not a valid token): copy it again, or authorise again.</source>
        <translation>网关不接受这个访问令牌（不是有效的令牌）：请重新复制，或重新授权。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The gateway refused the token: %1. Check the access token, or authorise again.</source>
        <translation>网关拒绝了令牌：%1。请检查访问令牌，或重新授权。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cannot reach the gateway: %1. Check the network and the gateway address (Advanced).</source>
        <translation>无法连接网关：%1。请检查网络和网关地址（高级）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The gateway answered with an error: %1</source>
        <translation>网关返回错误：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cannot listen for the browser on the redirect address (%1). Is another program using that port?</source>
        <translation>无法在回调地址上等待浏览器（%1）。是否有其他程序占用了该端口？</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Signing in failed unexpectedly: %1 (details in the log).</source>
        <translation>登录意外失败：%1（详情见日志）。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="+182"/>
        <source>First download of the after-sale requests… %p%</source>
        <extracomment>closing the window hides it and the app keeps watching from the tray (set by the shell when a system tray exists) closing the window (not Quit) asks first, since it stops the warnings (set by the shell when there is no tray) the demo: a sample shop on the embedded sandbox, reset at every start</extracomment>
        <translation>首次下载售后申请… %p%</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The pending requests appear here.</source>
        <translation>待处理的申请将显示在这里。</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Request details</source>
        <translation>申请详情</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Select a request to see its details.</source>
        <translation>选择一条申请以查看详情。</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Sanction risk</source>
        <translation>处罚风险</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The shop&apos;s risk estimate appears here.</source>
        <translation>店铺的风险评估将显示在这里。</translation>
    </message>
    <message>
        <location line="+423"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="-380"/>
        <source>Add shop</source>
        <translation>添加店铺</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The demo has one sample shop only. To connect your own shop, start AfterSale Watch without the demo and choose Shop → Add shop….</source>
        <translation>演示模式只有一个示例店铺。要连接您自己的店铺，请以普通模式（非演示）启动售后守望，然后选择“店铺 → 添加店铺…”。</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>Quit AfterSale Watch?</source>
        <translation>要退出售后守望吗？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Closing the window quits AfterSale Watch: no more warnings come until you start it again (this system has no tray to keep it running in).</source>
        <translation>关闭窗口会退出售后守望：在您再次启动之前不会再有任何提醒（此系统没有可以让它继续运行的托盘）。</translation>
    </message>
    <message>
        <location line="+132"/>
        <source>%1 (demo)</source>
        <translation>%1（演示）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Keys and tokens are kept in: %1</source>
        <translation>密钥和令牌保存在：%1</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Sync complete.</source>
        <translation>同步完成。</translation>
    </message>
    <message>
        <location line="+33"/>
        <location line="+18"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>There is nothing to export yet.</source>
        <translation>暂无可导出的数据。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>after-sale-requests-%1.csv</source>
        <translation>售后申请-%1.csv</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Exported %1 requests to %2</source>
        <translation>已将 %1 条申请导出到 %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The file could not be written: %1</source>
        <translation>无法写入文件：%1</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>The new language is used from the next start of the app.</source>
        <translation>新的界面语言将在下次启动应用时生效。</translation>
    </message>
    <message>
        <location filename="../../desktop/app.py" line="+576"/>
        <source>Alerts</source>
        <translation>提醒</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Guard</source>
        <translation>售后兜底</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Phone alerts</source>
        <translation>手机提醒</translation>
    </message>
</context>
<context>
    <name>PreviewDialog</name>
    <message>
        <location filename="../../desktop/ui/actions/preview.py" line="+31"/>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>%1:</source>
        <translation>%1：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Reason:</source>
        <translation>拒绝原因：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Description:</source>
        <translation>拒绝说明：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Money paid out:</source>
        <translation>退出金额：</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The shop&apos;s default return address</source>
        <translation>店铺默认退货地址</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Return address:</source>
        <translation>退货地址：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Also confirm receipt of returns whose goods have not come back yet</source>
        <translation>商品尚未寄回的退货也确认收货</translation>
    </message>
    <message>
        <location line="+50"/>
        <location line="+15"/>
        <source>Refund</source>
        <translation>售后单</translation>
    </message>
    <message>
        <location line="-12"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason</source>
        <translation>买家原因</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Warnings</source>
        <translation>提醒</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Why it is not sent</source>
        <translation>不发送的原因</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Buyers&apos; return-freight claims</source>
        <translation>买家的退货运费申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pay the claimed return freight</source>
        <translation>同意并支付买家申请的退货运费</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refuse the return freight</source>
        <translation>拒绝退货运费</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why:</source>
        <translation>拒绝说明：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Under %1 characters</source>
        <translation>少于 %1 字</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pictures:</source>
        <translation>凭证图片：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Links of 1 to %1 evidence pictures, one per line</source>
        <translation>1 至 %1 张凭证图片的链接，每行一个</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Refusing the return freight needs a description and 1 to %1 pictures; until both are given nothing is sent.</source>
        <translation>拒绝退货运费需要填写拒绝说明并提供 1 至 %1 张凭证图片；两者齐全之前不会提交。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Refusing the return freight needs a description.</source>
        <translation>拒绝退货运费需要填写拒绝说明。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refusing the return freight needs 1 to %1 pictures as evidence.</source>
        <translation>拒绝退货运费需要 1 至 %1 张凭证图片。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>At most %1 pictures can be sent.</source>
        <translation>最多只能提交 %1 张图片。</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Not sent (%1)</source>
        <translation>不发送（%1）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Handle these one by one in the seller backend:</source>
        <translation>请在商家后台逐单处理：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Actions of an earlier, interrupted run were checked:</source>
        <translation>已核对之前中断的批量操作：</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>reason no. %1</source>
        <translation>原因编号 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Approve %1 of the %2 selected requests</source>
        <translation>同意所选 %2 个申请中的 %1 个</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reject %1 of the %2 selected requests</source>
        <translation>拒绝所选 %2 个申请中的 %1 个</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Approve %1</source>
        <translation>同意 %1 个</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reject %1</source>
        <translation>拒绝 %1 个</translation>
    </message>
</context>
<context>
    <name>ProgressDialog</name>
    <message>
        <location filename="../../desktop/ui/actions/progress.py" line="+132"/>
        <source>Processing requests</source>
        <extracomment>the seller checked the undecided requests in the seller backend: not applied, act again</extracomment>
        <translation>正在处理售后申请</translation>
    </message>
    <message>
        <location line="+20"/>
        <location line="+100"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="-98"/>
        <location line="+104"/>
        <source>Retry the failed</source>
        <translation>重试失败项</translation>
    </message>
    <message>
        <location line="-101"/>
        <source>Act again on the undecided…</source>
        <translation>重新处理未确定的请求…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location line="+17"/>
        <location line="+13"/>
        <source>Processing stopped</source>
        <translation>处理已停止</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>Requests processed</source>
        <translation>处理完成</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Stopped: %1</source>
        <translation>已停止：%1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The run could not start: %1</source>
        <translation>无法开始：%1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Retry the failed (%1)</source>
        <translation>重试失败项（%1）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Act again on the undecided (%1)…</source>
        <translation>重新处理未确定的请求（%1）…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Act again on undecided requests?</source>
        <translation>重新处理未确定的请求？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 request(s) got no clear answer and still look unchanged. The platform may still carry the first request out: acting again could do it twice.

Open each one in the Kuaishou seller backend first. Act again only on those that were not applied there.</source>
        <translation>%1 个请求没有得到明确答复，售后单看起来也没有变化。平台可能仍会执行第一次的请求：再次处理可能导致重复操作。

请先在快手商家后台逐一打开查看，只对后台显示未生效的请求重新处理。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Checked: not applied, act again</source>
        <translation>已核实：未生效，重新处理</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 done</source>
        <translation>完成 %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 failed</source>
        <translation>失败 %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 to go</source>
        <translation>剩余 %1</translation>
    </message>
</context>
<context>
    <name>Queue</name>
    <message>
        <location filename="../../desktop/ui/queue/labels.py" line="+60"/>
        <source>Refund executing</source>
        <translation>退款执行中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location line="-42"/>
        <source>The system agrees automatically and refunds the buyer.</source>
        <translation>系统将自动同意并退款给买家。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The system agrees to the return automatically.</source>
        <translation>系统将自动同意退货。</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+3"/>
        <location line="+1"/>
        <source>The system is assumed to agree automatically.</source>
        <translation>推测系统将自动同意。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The system confirms receipt and refunds the buyer.</source>
        <translation>系统将自动确认收货并退款。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The system refunds the buyer.</source>
        <translation>系统将自动退款给买家。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The request closes; no risk for the shop.</source>
        <translation>申请将关闭，店铺无风险。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>It is the buyer&apos;s turn; no risk for the shop.</source>
        <translation>轮到买家处理，店铺无风险。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The platform executes the refund.</source>
        <translation>由平台执行退款。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unknown state: check it in the seller backend.</source>
        <translation>状态未知：请在商家后台查看。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The platform decides; this is not the shop&apos;s clock.</source>
        <translation>由平台判定，不计入店铺的处理时限。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refunded on application; never counts as overdue.</source>
        <translation>申请即退款，不计为逾期。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Waiting for the seller</source>
        <translation>待商家处理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Buyer requested a return</source>
        <translation>买家申请退货</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seller rejected, buyer to modify</source>
        <translation>商家已驳回，待买家修改</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+3"/>
        <source>Platform intervening</source>
        <translation>平台介入中</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Platform intervening (return)</source>
        <translation>平台介入中（退货）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Platform confirmed the return</source>
        <translation>平台已确认退货</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Waiting for the buyer&apos;s return</source>
        <translation>待买家退货</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting for the seller to confirm receipt</source>
        <translation>待商家确认收货</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting for the buyer to confirm receipt</source>
        <translation>待买家确认收货</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refund succeeded</source>
        <translation>退款成功</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>unknown ({value})</source>
        <translation>未知（{value}）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Platform deadline</source>
        <translation>平台截止时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Estimated from the stage limit in the rules file</source>
        <translation>按规则文件的阶段时限估算</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No deadline</source>
        <translation>无截止时间</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>{d}d {h}h</source>
        <translation>{d}天{h}小时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{h}h {m}m</source>
        <translation>{h}小时{m}分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{m}m {s}s</source>
        <translation>{m}分{s}秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Overdue {t}</source>
        <translation>超时 {t}</translation>
    </message>
</context>
<context>
    <name>QueueExport</name>
    <message>
        <location filename="../../desktop/ui/queue/export.py" line="+53"/>
        <source>Refund ID</source>
        <translation>售后单号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Order</source>
        <translation>订单号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shop</source>
        <translation>店铺</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seconds left</source>
        <translation>剩余秒数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deadline</source>
        <translation>截止时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deadline source</source>
        <translation>截止时间来源</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Amount (CNY)</source>
        <translation>金额（元）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Buyer reminders</source>
        <translation>买家催促次数</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <location filename="../../desktop/ui/queue/model.py" line="+490"/>
        <source>Time left</source>
        <extracomment>default urgency tiers (the shipped rules file&apos;s values); pass the loaded rules&apos; scale instead sort key of a row without a deadline: after every real one emitted after a row changed urgency tier (the proxy re-filters when it filters by urgency) emitted on every countdown tick with the server-clock &quot;now&quot; in epoch ms bracket an incremental :meth:`set_rows` (rows removed, updated in place, appended): a proxy treats everything between them as one layout change</extracomment>
        <translation>剩余时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deadline</source>
        <translation>截止时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Order</source>
        <translation>订单号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reminders</source>
        <translation>催促</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shop</source>
        <translation>店铺</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refund ID</source>
        <translation>售后单号</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Time until the platform acts on its own (server clock)</source>
        <translation>距平台自动处理的时间（按平台时钟）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Local time of the deadline; ≈ marks a deadline estimated from the rules</source>
        <translation>截止时间（本地时间）；≈ 表示按规则估算</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How many times the buyer urged the shop</source>
        <translation>买家催促的次数</translation>
    </message>
</context>
<context>
    <name>QueueView</name>
    <message>
        <location filename="../../desktop/ui/queue/view.py" line="+457"/>
        <source>All kinds</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All stages</source>
        <translation>全部阶段</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Any urgency</source>
        <translation>全部紧急程度</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>All shops</source>
        <translation>全部店铺</translation>
    </message>
    <message numerus="yes">
        <location line="+23"/>
        <source>%n request(s)</source>
        <translation>
            <numerusform>共 %n 条</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 of %2 shown</source>
        <translation>显示 %1 / %2 条</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Last synced %1.</source>
        <translation>上次同步：%1。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Not synced yet.</source>
        <translation>尚未同步。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing waits on you</source>
        <translation>没有待您处理的申请</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No after-sale request needs the shop&apos;s action right now. New ones appear here after each sync.</source>
        <translation>目前没有需要店铺处理的售后申请。每次同步后，新的申请会出现在这里。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Nothing on the buyer&apos;s or the platform&apos;s side</source>
        <translation>没有等待买家或平台的申请</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Requests waiting for the buyer (a return, a modification) or for the platform show here.</source>
        <translation>等待买家（退货、修改申请）或平台处理的申请显示在这里。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No request matches the filters</source>
        <translation>没有符合筛选条件的申请</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n request(s) are hidden by the filters or the search.</source>
        <translation>
            <numerusform>%n 条申请被筛选或搜索隐藏。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Search refund or order id, product, reason…</source>
        <translation>搜索售后单号、订单号、商品、原因…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear filters</source>
        <translation>清除筛选</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kind of request</source>
        <translation>申请类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shop</source>
        <translation>店铺</translation>
    </message>
</context>
<context>
    <name>QueueWidget</name>
    <message>
        <location line="+77"/>
        <source>Waiting on me (%1)</source>
        <translation>待我处理（%1）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Buyer / platform side (%1)</source>
        <translation>等待买家/平台（%1）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Requests on the buyer&apos;s or the platform&apos;s clock: nothing for the shop to do yet</source>
        <translation>计时在买家或平台一方的申请：店铺暂时无需处理</translation>
    </message>
</context>
<context>
    <name>RejectReasonDialog</name>
    <message>
        <location filename="../../desktop/ui/actions/reasons.py" line="+44"/>
        <source>Reject requests</source>
        <translation>拒绝售后申请</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Reading the reasons allowed for %1 request(s)…</source>
        <translation>正在读取 %1 个申请可用的拒绝原因…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Description for the buyer</source>
        <translation>给买家的拒绝说明</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Continue…</source>
        <translation>继续…</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>These requests share no reject reason: reject them in smaller groups of the same kind.</source>
        <translation>这些申请没有共同的拒绝原因：请按同类申请分组拒绝。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>None of these requests can be rejected now.</source>
        <translation>这些申请现在都不能拒绝。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Reasons allowed for all %1 request(s):</source>
        <translation>全部 %1 个申请都可用的拒绝原因：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>description required</source>
        <translation>需填写说明</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>pictures required for %1</source>
        <translation>%1 单需上传图片</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cannot be rejected now: %1</source>
        <translation>现在不能拒绝：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The reasons could not be read: %1</source>
        <translation>无法读取拒绝原因：%1</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>This reason needs pictures for these requests; they are not sent here. Reject them one by one in the seller backend:</source>
        <translation>此原因需要为以下申请上传凭证图片，这里不会发送。请在商家后台逐单拒绝：</translation>
    </message>
</context>
<context>
    <name>ResultsModel</name>
    <message>
        <location filename="../../desktop/ui/actions/progress.py" line="-205"/>
        <source>Refund</source>
        <translation>售后单</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
</context>
<context>
    <name>RiskPanel</name>
    <message>
        <location filename="../../desktop/ui/queue/risk_panel.py" line="+172"/>
        <source>sourced</source>
        <extracomment>a longer daily series is drawn as weekly sums: 90 daily spikes of 0–2 read as noise in a dock</extracomment>
        <translation>有来源</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>assumed</source>
        <translation>假设</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Risk: not estimated yet</source>
        <translation>风险：尚未评估</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The estimate appears after the first sync.</source>
        <translation>首次同步后显示估算。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+52"/>
        <source>Not fetched yet</source>
        <translation>尚未获取</translation>
    </message>
    <message>
        <location line="-46"/>
        <source>Risk: %1</source>
        <translation>风险：%1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>history %1 of %2 days</source>
        <translation>历史 %1/%2 天</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>%n close(s) to check</source>
        <translation>
            <numerusform>%n 单待核实</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Risk: partial</source>
        <translation>风险：尚不完整</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The level is shown once the shop&apos;s 90-day history is complete: first its download, then the recent closes whose outcome needs their negotiation history (a few each sync).</source>
        <translation>店铺 90 天的历史完整后才显示风险等级：先下载历史，再逐次同步核实近期结束、需要协商记录才能判定结果的售后单（每次同步核实一部分）。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>No rule of the model is reached.</source>
        <translation>未触及模型的任何规则。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sanctions the notice lists at this level (not a prediction):</source>
        <translation>公告在此级别列出的处罚（并非预测）：</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The platform has no score for this shop yet.</source>
        <translation>平台暂无此店铺的评分。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The platform&apos;s own figure, fetched %1; not part of this estimate.</source>
        <translation>平台官方数据，获取于 %1；不计入本估算。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Shop experience score</source>
        <translation>店铺体验分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>After-sale experience</source>
        <translation>售后体验</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Product experience</source>
        <translation>商品体验</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Logistics experience</source>
        <translation>物流体验</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Service experience</source>
        <translation>服务体验</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer service experience</source>
        <translation>客服体验</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No forecast yet.</source>
        <translation>暂无预测。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>In %1 h</source>
        <translation>%1 小时内</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Level %1</source>
        <translation>级别：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>becomes %1 at %2</source>
        <translation>%2 变为%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 would be auto-approved (%2)</source>
        <translation>%1 条将被自动同意（%2）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>nothing expires</source>
        <translation>无到期申请</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>With the guard: level %1</source>
        <translation>启用兜底后：级别 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 still auto-approved</source>
        <translation>仍有 %1 条将被自动同意</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Select the %1 to handle (%2)</source>
        <translation>选中需处理的 %1 条（%2）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Handling these keeps the current level</source>
        <translation>处理这些即可保持当前级别</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Even handling all of these cannot keep the current level</source>
        <translation>即使全部处理也无法保持当前级别</translation>
    </message>
    <message numerus="yes">
        <location line="+46"/>
        <source>Last %n day(s), per week: auto-approved (areas) and handled in time (line)</source>
        <translation>
            <numerusform>近 %n 天（按周）：自动同意（面积）与按时处理（折线）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>Last %n day(s): auto-approved (areas) and handled in time (line)</source>
        <translation>
            <numerusform>近 %n 天：自动同意（面积）与按时处理（折线）</numerusform>
        </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Refund only</source>
        <translation>仅退款</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Return and refund</source>
        <translation>退货退款</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other kinds</source>
        <translation>其他类型</translation>
    </message>
    <message>
        <location line="-33"/>
        <source>No daily history yet</source>
        <translation>暂无每日记录</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>Handled in time</source>
        <translation>按时处理</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>An estimate by this app: the notice of 2023-05-09 publishes no thresholds, so each rule below says whether its threshold is sourced or assumed.</source>
        <translation>本应用的估算：2023-05-09 公告未公布任何阈值，以下每条规则都注明其阈值是有来源还是假设。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Platform experience score</source>
        <translation>平台体验分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why</source>
        <translation>原因</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>If nothing is done</source>
        <translation>如果不处理</translation>
    </message>
</context>
<context>
    <name>RobotSettingsPage</name>
    <message>
        <location filename="../../desktop/ui/robots.py" line="-200"/>
        <source>WeCom group robot</source>
        <translation>企业微信群机器人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DingTalk robot</source>
        <translation>钉钉机器人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Feishu / Lark bot</source>
        <translation>飞书 / Lark 机器人</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too fast (rate limit)</source>
        <translation>过快（频率限制）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed: tried again later</source>
        <translation>失败：稍后重试</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refused</source>
        <translation>被拒收</translation>
    </message>
    <message>
        <location line="+225"/>
        <source>Alerts also reach your phone through a robot in a WeCom, DingTalk or Feishu group: one summary per check, at the same warning times as the pop-ups. The robot&apos;s address and secret are kept in the system keychain.</source>
        <translation>提醒也可以通过企业微信、钉钉或飞书群里的机器人推送到手机：每次检查汇总为一条消息，提醒时间与弹窗相同。机器人的地址和密钥保存在系统钥匙串中。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Signed</source>
        <translation>加签</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last send</source>
        <translation>最近一次发送</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>No robot yet: add one to get alerts on your phone.</source>
        <translation>还没有机器人：添加一个即可在手机上收到提醒。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send a test message</source>
        <translation>发送测试消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>On</source>
        <translation>开启</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send alerts to this channel</source>
        <translation>向该渠道发送提醒</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Sends of the selected channel</source>
        <translation>所选渠道的发送记录</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Quiet hours for robots</source>
        <translation>机器人免打扰时段</translation>
    </message>
    <message>
        <location line="+11"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>During them only requests with less than</source>
        <translation>该时段内只有剩余不足</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>left ring the phone; the rest is sent when they end.</source>
        <translation>的售后单会推送到手机；其余在时段结束后发送。</translation>
    </message>
    <message>
        <location line="+74"/>
        <source>Not in the keychain: edit to enter it again</source>
        <translation>钥匙串中没有：请编辑后重新输入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Off</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Never</source>
        <translation>从未发送</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Could not read or save the robot channels: %1</source>
        <translation>无法读取或保存机器人通知渠道：%1</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Test message</source>
        <translation>测试消息</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 alert(s)</source>
        <translation>%1 条提醒</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The keychain is not ready yet; try again in a moment.</source>
        <translation>钥匙串尚未就绪，请稍后再试。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Channel added. Send a test message to check it.</source>
        <translation>已添加渠道。请发送一条测试消息检查。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Channel saved.</source>
        <translation>已保存渠道。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Remove channel</source>
        <translation>删除渠道</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove “%1”? Its address and secret are deleted from the keychain.</source>
        <translation>删除“%1”？其地址和密钥将从钥匙串中删除。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Channel removed.</source>
        <translation>已删除渠道。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Alerts to this channel are on.</source>
        <translation>已开启向该渠道发送提醒。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Alerts to this channel are off.</source>
        <translation>已关闭向该渠道发送提醒。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Sending a test message…</source>
        <translation>正在发送测试消息…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The address of this channel is not in the keychain: edit it and enter it again.</source>
        <translation>钥匙串中没有该渠道的地址：请编辑并重新输入。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Test message sent: check the group on your phone.</source>
        <translation>测试消息已发送：请在手机上查看群消息。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The test message was not sent: %1</source>
        <translation>测试消息未发送：%1</translation>
    </message>
</context>
<context>
    <name>RolesDialog</name>
    <message>
        <location filename="../../desktop/ui/diagnostics.py" line="+44"/>
        <source>Negotiation roles</source>
        <translation>协商角色</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The platform sends who wrote each negotiation entry as a number and does not say what the numbers mean. Auto-approvals are recognised by the entries&apos; titles and times, not by these numbers. If you report them, the rules file can name the system&apos;s number (classify.system_roles).</source>
        <translation>平台用数字表示每条协商记录由谁发出，但没有公开这些数字的含义。本工具根据记录的标题和时间识别系统自动同意，不依赖这些数字。若您反馈这些数值，规则文件即可注明哪个数字代表系统。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Role value</source>
        <translation>角色数值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Entries</source>
        <translation>记录数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Requests</source>
        <translation>申请数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last seen</source>
        <translation>最近出现</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Example entries</source>
        <translation>示例记录</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Copy for a report</source>
        <translation>复制以便反馈</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1 (named as the system in the rules file)</source>
        <translation>%1（规则文件已注明为系统）</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1 role value(s) in the negotiation histories fetched so far.</source>
        <translation>目前已获取的协商记录中共有 %1 种角色数值。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No negotiation history has been fetched yet: the app fetches it for recently closed requests after the first download.</source>
        <translation>尚未获取任何协商记录：首次下载完成后，本工具会为最近结束的申请获取协商记录。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The list could not be read: %1</source>
        <translation>无法读取列表：%1</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Copied. Paste it into your report.</source>
        <translation>已复制，可粘贴到您的反馈中。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/ui/settings.py" line="+101"/>
        <location line="+34"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="-28"/>
        <source>The language changes the next time the app starts.</source>
        <translation>界面语言将在下次启动应用时更改。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
</context>
<context>
    <name>Shell</name>
    <message>
        <location filename="../../desktop/app.py" line="-204"/>
        <source>%1

Rebuild it now? (No quits AfterSale Watch and leaves the file as it is.)</source>
        <translation>%1

现在重建吗？（选“否”将退出售后守望，文件保持原样。）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Damaged local database</source>
        <translation>本地数据库已损坏</translation>
    </message>
    <message>
        <location line="+74"/>
        <source>A fresh local database was created; the damaged one was kept as %1.</source>
        <translation>已新建本地数据库；损坏的数据库已保留为 %1。</translation>
    </message>
</context>
<context>
    <name>ShopBanner</name>
    <message>
        <location filename="../../desktop/ui/banner.py" line="+48"/>
        <source>the shop&apos;s authorisation is no longer accepted (%1)</source>
        <translation>店铺授权已失效（%1）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+27"/>
        <location line="+7"/>
        <source>Sign in…</source>
        <translation>登录…</translation>
    </message>
    <message>
        <location line="-32"/>
        <source>the Kuaishou gateway cannot be reached (%1)</source>
        <translation>无法连接快手网关（%1）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+3"/>
        <location line="+32"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location line="-28"/>
        <source>Sync failed: %1. The list shows the requests downloaded %2; the app keeps trying.</source>
        <translation>同步失败：%1。列表显示的是 %2 下载的数据；应用会继续重试。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>You are signed out of %1: the list below is what was downloaded last. Sign in again to keep it up to date.</source>
        <translation>您已退出“%1”的登录：下方列表是上次下载的数据。重新登录后才能继续更新。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No shop is signed in. Sign in to watch your after-sale requests.</source>
        <translation>尚未登录任何店铺。登录后即可守望您的售后申请。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Something could not be read: %1</source>
        <translation>有数据无法读取：%1</translation>
    </message>
</context>
<context>
    <name>ShopLists</name>
    <message>
        <location filename="../../desktop/ui/shop_lists.py" line="+75"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
</context>
<context>
    <name>ShopWatcher</name>
    <message>
        <location filename="../../desktop/ui/shop_watch.py" line="+194"/>
        <source>sign in again</source>
        <translation>需重新登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sync failed</source>
        <translation>同步失败</translation>
    </message>
</context>
<context>
    <name>ShopsDialog</name>
    <message>
        <location filename="../../desktop/ui/shops.py" line="+39"/>
        <source>Shops</source>
        <translation>店铺</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Switch to</source>
        <translation>切换到</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+95"/>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location line="-94"/>
        <source>Remove…</source>
        <translation>移除…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add shop…</source>
        <translation>添加店铺…</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>active</source>
        <translation>当前</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>signed out</source>
        <translation>已退出</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Rename shop</source>
        <translation>重命名店铺</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Name shown in the app:</source>
        <translation>在应用中显示的名称：</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Sign out of this shop? Its keys and tokens are forgotten on this computer; the requests already downloaded stay visible until you remove the shop.</source>
        <translation>退出此店铺的登录？本机将删除它的密钥和令牌；已下载的申请仍会显示，直到您移除该店铺。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Remove shop</source>
        <translation>移除店铺</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove this shop? Its keys, tokens and every downloaded request are deleted from this computer. Nothing changes in the Kuaishou seller backend.</source>
        <translation>移除此店铺？本机将删除它的密钥、令牌和所有已下载的申请。快手商家后台不会有任何变化。</translation>
    </message>
</context>
<context>
    <name>ShopsStatusLabel</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/shop_watch.py" line="+215"/>
        <source>%n other shop(s) not up to date</source>
        <translation>
            <numerusform>%n 个其他店铺未能更新</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1: %2 (%3)</source>
        <translation>%1：%2（%3）</translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message>
        <location filename="../../desktop/ui/tray.py" line="+86"/>
        <source>Open AfterSale Watch</source>
        <translation>打开售后守望</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pause alerts for 1 hour</source>
        <translation>暂停提醒 1 小时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pause alerts until tomorrow 08:00</source>
        <translation>暂停提醒至明天 08:00</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+43"/>
        <source>Resume alerts</source>
        <translation>恢复提醒</translation>
    </message>
    <message>
        <location line="-42"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Resume alerts (paused until %1)</source>
        <translation>恢复提醒（已暂停至 %1）</translation>
    </message>
    <message numerus="yes">
        <location line="+18"/>
        <source>%n request(s) critical or overdue</source>
        <translation>
            <numerusform>%n 条申请紧急或已超时</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Requests within the warning time</source>
        <translation>有申请进入预警时间</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>All requests have time left</source>
        <translation>所有申请时间充裕</translation>
    </message>
</context>
<context>
    <name>UrgencyLegend</name>
    <message>
        <location filename="../../desktop/ui/queue/view.py" line="-522"/>
        <source>Legend:</source>
        <extracomment>columns a laptop screen cannot afford by default (the detail pane shows them; the search finds them); the header&apos;s context menu shows them again</extracomment>
        <translation>图例：</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>{n} h</source>
        <translation>{n} 小时</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>(past the deadline)</source>
        <translation>（已过截止时间）</translation>
    </message>
</context>
<context>
    <name>Watch</name>
    <message>
        <location filename="../../desktop/app.py" line="-183"/>
        <source>AfterSale Watch is still running</source>
        <extracomment>the demo sandbox prefers this port, so a reused demo data folder keeps its shop (any free one else) calls per second the app&apos;s client allows itself: the bulk actions&apos; pace, half the platform&apos;s documented per-API cap of 100</extracomment>
        <translation>售后守望仍在运行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>It keeps watching your deadlines from here. Choose Quit in this menu to stop it.</source>
        <translation>它会在这里继续盯着各个售后单的处理时限。要退出，请在此菜单中选择“退出”。</translation>
    </message>
</context>
<context>
    <name>WindowMenus</name>
    <message>
        <location filename="../../desktop/ui/window_menus.py" line="+35"/>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Fetch the latest after-sale requests now (F5)</source>
        <translation>立即获取最新的售后申请（F5）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save the requests shown to a CSV file that Excel opens</source>
        <translation>把当前显示的申请保存为可用 Excel 打开的 CSV 文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Manage shops…</source>
        <translation>管理店铺…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add shop…</source>
        <translation>添加店铺…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign in again…</source>
        <translation>重新登录…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>User guide</source>
        <translation>使用指南</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Negotiation roles…</source>
        <translation>协商角色诊断…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The role values the platform sent in negotiation histories, to report them</source>
        <translation>平台在协商记录中发送的角色数值，可用于反馈</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>About AfterSale Watch</source>
        <translation>关于售后守望</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>&amp;Shop</source>
        <translation>店铺(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Switch to</source>
        <translation>切换到</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Requests</source>
        <translation>申请(&amp;R)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>S&amp;ettings</source>
        <translation>设置(&amp;E)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Shop:</source>
        <translation>店铺：</translation>
    </message>
</context>
<context>
    <name>WindowStatusBar</name>
    <message>
        <location filename="../../desktop/ui/status_bar.py" line="+40"/>
        <source>Demo: sample data, reset at every start</source>
        <translation>演示模式：示例数据，每次启动都会重置</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The demo shows a made-up shop on a built-in test server. Its requests and your actions on them start afresh each time the demo starts; nothing reaches Kuaishou.</source>
        <translation>演示模式展示的是内置测试服务器上的虚构店铺。每次启动演示时，售后单和您对它们的操作都会重新开始；不会有任何内容发送到快手。</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>%n selected</source>
        <translation>
            <numerusform>已选择 %n 条</numerusform>
        </translation>
    </message>
    <message>
        <location line="+4"/>
        <source>just now</source>
        <translation>刚刚</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 min ago</source>
        <translation>%1 分钟前</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 h ago</source>
        <translation>%1 小时前</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 days ago</source>
        <translation>%1 天前</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No shop signed in</source>
        <translation>尚未登录店铺</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Data as of %1</source>
        <translation>数据更新于 %1</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1 request(s) could not be read from the platform&apos;s answer: open them in the seller backend (%2).</source>
        <translation>平台返回的 %1 条售后单无法读取：请在商家后台打开处理（%2）。</translation>
    </message>
</context>
</TS>
