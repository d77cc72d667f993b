# language: zh-CN
功能: 只有本单元的居民可以评价
  办理结果由事项所在单元（或其下级单元）登记在册的居民评价；外单元的居民不能评价
  （规则 permission.evaluate.scope），冒称本单元居民的也不行（规则 permission.grant）。

  背景:
    假如 渡河村的四级治理单元已建立
    而且 邻村白羊社区已建立
    而且 渡河村1组一件小事的办理结果已公开

  场景: 本单元居民评价
    当 渡河村1组的居民评价5分
    那么 评价已记录，该事项收到1个评价

  场景: 外单元居民不能评价
    当 白羊社区的居民评价5分
    那么 该命令被拒绝，错误为 PermissionDeniedError，规则为 permission.evaluate.scope
    而且 没有记录任何事件

  场景: 冒称本单元居民不能评价
    当 白羊社区的居民冒称渡河村1组居民评价5分
    那么 该命令被拒绝，错误为 PermissionDeniedError，规则为 permission.grant
    而且 没有记录任何事件
