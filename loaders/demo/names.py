"""Plausible Chinese names for demo villages, people, enterprises and places (deterministic)."""
from __future__ import annotations

import numpy as np

_PLACE_A = list("东西南北新长花桥山河湖塘港泾庄圩园湾城澄璜云申利夏月青祝顾周华金永兴康和"
                "祥瑞丰盛安宁福寿龙凤鹏秀水田石松竹梅兰")
_PLACE_B = list("庄桥港泾塘园湾墩里浜亭巷渡坊湖河山林坝圩堰楼门")
_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁"
                 "潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方邹孟熊秦邱江尹薛")
_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文斌宇浩凯鹏辉丹玲红燕"
              "鑫俊峰晨雪婷慧琳颖欣佳璐雯振海波亮斌晓春梅兰东坤健荣")
ROADS = ["人民路", "长江路", "澄江路", "虹桥路", "芙蓉大道", "滨江路", "朝阳路", "延陵路",
          "暨阳路", "青果路", "中山路", "环城路", "工业园路", "新华路", "临港大道", "澄南路",
          "绮山路", "春申路", "花园路", "文化路"]


def place_names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    """n distinct two-character place stems not already in `taken` (the set is updated)."""
    out: list[str] = []
    while len(out) < n:
        stem = rng.choice(_PLACE_A) + rng.choice(_PLACE_B)
        if stem[0] == stem[1] or stem in taken:
            continue
        taken.add(stem)
        out.append(stem)
    return out


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    s = rng.choice(_SURNAMES, n)
    g1 = rng.choice(_GIVEN, n)
    g2 = rng.choice(_GIVEN, n)
    two = rng.random(n) < 0.7
    return [a + b + (c if t else "") for a, b, c, t in zip(s, g1, g2, two)]


def phones(rng: np.random.Generator, n: int) -> list[str]:
    prefix = rng.choice(["138", "139", "150", "151", "158", "180", "189", "133"], n)
    body = rng.integers(0, 10**8, n)
    return [f"{p}{b:08d}" for p, b in zip(prefix, body)]


def addresses(rng: np.random.Generator, village_names: list[str]) -> list[str]:
    n = len(village_names)
    road = rng.choice(ROADS, n)
    number = rng.integers(1, 400, n)
    return [f"{v}{r}{k}号附近" for v, r, k in zip(village_names, road, number)]
