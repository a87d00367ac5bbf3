#!/usr/bin/env python3
"""Regenerate the bundled sample corpus (sample/corpus.jsonl) from templates written for this project.

The documents are invented: news-like articles, review pages full of ㅋㅋ/ㅠㅠ, blog posts, plus the noise each
stage exists for (emoticon runs, bullet-list pages, #-spam, ellipsis pages, repeated lines, non-Korean text,
HTML remnants, PII, exact and near duplicates, malformed lines). Seeded: the same command writes the same bytes.

    python scripts/make_sample.py [--out sample/corpus.jsonl] [--docs 320] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random

NAMES = ["김민준", "이서연", "박지훈", "최수아", "정예준", "강하은", "조도윤", "윤지우", "장서진", "임하준",
         "한지민", "오세훈", "서유진", "신동현", "권나래", "황보람"]
PLACES = ["서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "수원", "청주", "전주", "제주", "강릉", "포항"]
ORGS = ["한빛전자", "누리바이오", "새솔건설", "온누리은행", "다온모빌리티", "가람식품", "미르소프트", "해솔에너지"]
TEAMS = ["서울 번개", "부산 갈매기즈", "대전 한밭", "광주 무등", "인천 파도", "수원 성곽"]

NEWS_TOPICS = {
    "economy": [
        "{org}는 올해 {q}분기 영업이익이 {n}억 원으로 지난해 같은 기간보다 {p}% 늘었다고 {d}일 밝혔다.",
        "회사 측은 반도체와 배터리 부문의 수요가 회복되면서 실적이 개선됐다고 설명했다.",
        "시장에서는 하반기에도 금리 인하 기대감이 이어지며 투자 심리가 살아날 것으로 보고 있다.",
        "{name} {org} 재무담당 임원은 \"원가 절감 노력이 효과를 보기 시작했다\"고 말했다.",
        "다만 환율 변동성과 원자재 가격 상승은 여전히 부담 요인으로 꼽힌다.",
        "증권가는 {org}의 목표 주가를 잇달아 올려 잡았다.",
        "한국은행은 기준금리를 연 {r}%로 동결하고 물가 흐름을 좀 더 지켜보기로 했다.",
        "가계 대출 증가세가 둔화하면서 금융 당국의 관리 기조도 다소 완화될 전망이다.",
        "수출은 {m}개월 연속 증가세를 이어갔으며 자동차와 선박이 증가를 이끌었다.",
        "전문가들은 내수 회복 속도가 더딘 만큼 정책 지원이 필요하다고 지적했다.",
        "중소기업 가운데 상당수는 인력난과 자금난을 동시에 겪고 있다고 답했다.",
        "정부는 다음 달 초 민생 경제 대책을 발표할 예정이다.",
    ],
    "weather": [
        "{d}일 {place}은 아침 최저기온이 영하 {t}도까지 떨어지며 올가을 들어 가장 추운 날씨를 보였다.",
        "기상청은 당분간 평년보다 기온이 낮겠으니 건강 관리에 유의해 달라고 당부했다.",
        "중부지방에는 오후부터 비가 내리겠고 밤에는 곳에 따라 눈이 섞여 내리겠다.",
        "바다의 물결은 최고 {w}미터로 높게 일겠으니 항해하는 선박은 주의해야 한다.",
        "주말에는 대체로 맑은 가운데 낮 기온이 {t}도 안팎으로 올라 다소 포근하겠다.",
        "대기가 매우 건조해 작은 불씨가 큰불로 번질 수 있으니 산불 예방에 각별히 신경 써야 한다.",
        "{place} 지역에는 한파주의보가 내려졌으며 수도관 동파 사고에 대비해야 한다.",
        "미세먼지 농도는 대부분 지역에서 보통 수준을 보이겠다.",
        "출근길에는 안개가 짙게 끼는 곳이 있어 교통안전에 유의해야 한다.",
        "다음 주 초부터는 기온이 차츰 올라 평년 수준을 되찾을 것으로 보인다.",
    ],
    "sports": [
        "{team}이 {d}일 홈경기에서 {a}대 {b}로 역전승을 거두며 {m}연승을 달렸다.",
        "선발로 나선 {name}은 {i}이닝 동안 삼진 {k}개를 잡아내며 무실점으로 호투했다.",
        "경기 후 감독은 \"선수들이 끝까지 집중력을 잃지 않았다\"며 만족감을 드러냈다.",
        "이날 승리로 팀은 리그 순위를 한 계단 끌어올려 포스트시즌 진출 가능성을 높였다.",
        "관중석을 가득 메운 팬들은 경기 내내 열띤 응원을 보냈다.",
        "부상에서 돌아온 주장 {name}은 결승타를 때려내며 이름값을 했다.",
        "상대 팀은 실책이 잇따르면서 다잡은 경기를 놓쳤다.",
        "다음 경기는 오는 주말 원정에서 열린다.",
        "구단은 시즌 종료 후 외국인 선수 재계약 여부를 결정할 방침이다.",
        "신인 선수들의 성장이 눈에 띄면서 팀의 미래도 밝다는 평가가 나온다.",
    ],
    "tech": [
        "{org}가 인공지능 기반의 새로운 번역 서비스를 {d}일 공개했다.",
        "이 서비스는 한국어 문장의 높임말과 맥락을 이해해 자연스러운 번역 결과를 내놓는다.",
        "회사는 올해 안에 {n}만 명의 이용자를 확보하겠다는 목표를 세웠다.",
        "업계에서는 대규모 언어 모델 경쟁이 갈수록 치열해지고 있다는 분석이 나온다.",
        "개인정보 보호 문제를 해결하기 위해 학습 데이터에서 민감한 정보를 걸러내는 작업도 진행했다.",
        "{name} 개발총괄은 \"한국어에 특화된 모델이 필요하다는 목소리가 많았다\"고 설명했다.",
        "정부도 인공지능 반도체 개발에 {n}억 원을 투입하기로 했다.",
        "전문가들은 데이터 품질이 모델 성능을 좌우한다고 입을 모은다.",
        "스타트업들은 특정 산업에 맞춘 소형 모델로 틈새시장을 공략하고 있다.",
        "다만 저작권과 관련한 논란은 여전히 해결해야 할 과제로 남아 있다.",
    ],
    "culture": [
        "배우 {name}이 주연을 맡은 영화가 개봉 {m}일 만에 누적 관객 {n}만 명을 넘어섰다.",
        "영화는 1980년대 {place}을 배경으로 한 가족의 이야기를 섬세하게 그려냈다.",
        "관객들은 배우들의 열연과 감각적인 영상미에 호평을 쏟아냈다.",
        "감독은 \"평범한 사람들의 하루를 기록하고 싶었다\"고 제작 의도를 밝혔다.",
        "이번 작품은 해외 영화제에 초청되며 작품성도 인정받았다.",
        "{place}에서 열린 지역 축제에는 주말 동안 {n}만 명이 넘는 방문객이 몰렸다.",
        "전통 공연과 먹거리 장터가 어우러져 가족 단위 관람객의 발길이 이어졌다.",
        "주최 측은 내년에는 프로그램을 더 다양하게 꾸릴 계획이라고 밝혔다.",
        "국립박물관은 조선 후기 회화를 모은 특별전을 다음 달까지 연다.",
        "전시에는 그동안 일반에 공개되지 않았던 작품 {m}점이 포함됐다.",
    ],
    "health": [
        "날씨가 추워지면서 심혈관 질환 환자가 늘어나 주의가 필요하다.",
        "전문의들은 아침 운동 전에 충분히 몸을 풀어 주는 것이 좋다고 조언한다.",
        "실내 습도를 적절하게 유지하면 호흡기 질환 예방에 도움이 된다.",
        "{place}의 한 대학병원 연구팀은 하루 {m}천 보 이상 걷는 사람의 사망 위험이 낮다는 연구 결과를 내놓았다.",
        "연구팀은 성인 {n}천여 명을 {i}년 동안 추적 관찰했다.",
        "물을 자주 마시고 제철 과일과 채소를 충분히 먹는 것이 면역력 유지에 좋다.",
        "독감 예방접종은 유행 시기 전에 맞는 것이 효과적이다.",
        "수면 시간이 부족하면 집중력이 떨어지고 만성 질환 위험도 커진다.",
        "보건 당국은 고령층에게 예방접종을 서둘러 달라고 당부했다.",
        "증상이 오래가면 자가 진단에 의존하지 말고 병원을 찾는 것이 바람직하다.",
    ],
}

HEADLINES = {
    "economy": ["{org}, {q}분기 실적 '깜짝' 개선", "기준금리 동결… 물가 흐름 더 지켜본다"],
    "weather": ["[날씨] 전국 흐리고 곳곳 비… 아침 쌀쌀", "{place} 한파주의보, 수도관 동파 주의"],
    "sports": ["{team}, 짜릿한 역전승으로 {m}연승", "돌아온 주장의 한 방… 가을야구 보인다"],
    "tech": ["{org}, 한국어 특화 AI 번역 서비스 공개", "\"데이터 품질이 관건\"… 언어 모델 경쟁 가열"],
    "culture": ["개봉 {m}일 만에 {n}만 돌파… 입소문 타고 흥행", "{place} 가을 축제에 구름 인파"],
    "health": ["찬바람 불면 심장 조심… 아침 운동 전 충분히 풀어야", "\"하루 {m}천 보 걸으면 사망 위험 뚝\""],
}

REVIEW_LINES = [
    "진짜 재밌어요 {lol}", "배우들 연기가 미쳤다 {lol}", "마지막 장면에서 울었어요 {cry}", "이건 꼭 극장에서 보세요",
    "시간 가는 줄 몰랐네요", "스토리가 좀 뻔하긴 한데 볼만함", "ost가 너무 좋아서 계속 듣는 중 {lol}",
    "두 번 봤는데 또 보고 싶다", "기대 안 하고 봤는데 대박 {lol}", "친구랑 보다가 둘 다 울었음 {cry}",
    "감독님 다음 작품도 기대할게요", "중간에 좀 지루했어요 {cry}", "연출이 세련됐다", "웃기다가 슬프다가 난리남 {lol}{cry}",
    "아이들이랑 같이 보기 좋아요", "결말이 너무 허무해요 {cry}", "이 배우 팬 됐어요 {lol}", "영상미가 예술이네요",
    "명작은 시간이 지나도 명작", "보는 내내 긴장했어요 ㄷㄷ", "주인공 너무 불쌍해 {cry}", "대사 하나하나가 기억에 남아요",
    "평점이 왜 이렇게 낮지?? 난 좋았는데", "가족 영화로 추천합니다", "올해 본 영화 중 최고 {lol}",
]
LOL = ["ㅋㅋ", "ㅋㅋㅋ", "ㅋㅋㅋㅋㅋㅋ", "ㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋ", "ㅎㅎㅎ", "ㅎㅎㅎㅎㅎㅎ", "ㅋㅋ쿠ㅜㅜ", "하하하하하", ""]
CRY = ["ㅠㅠ", "ㅠㅠㅠㅠㅠ", "ㅜㅜㅜㅜ", "ㅠㅠㅠㅠㅠㅠㅠㅠ", "ㅜㅜ", ""]

BLOG_LINES = [
    "오늘은 {place} 여행 이야기를 해 보려고 해요.", "아침 일찍 기차를 타고 출발했는데 창밖 풍경이 정말 예뻤어요.",
    "도착하자마자 유명한 국밥집에 들렀는데 줄이 엄청 길더라고요.", "삼십 분 정도 기다려서 먹었는데 기다린 보람이 있었어요.",
    "점심을 먹고 나서는 바닷가를 따라 천천히 걸었습니다.", "날씨가 맑아서 사진이 잘 나왔어요.",
    "숙소는 역에서 걸어서 10분 거리라 이동하기 편했어요.", "저녁에는 시장 구경을 하면서 이것저것 사 먹었답니다.",
    "다음에는 부모님을 모시고 다시 오고 싶어요.", "혹시 {place}에 가실 분들께 도움이 되었으면 좋겠네요.",
    "주차는 공영 주차장을 이용하면 저렴해요.", "평일에 가면 사람이 적어서 훨씬 여유로워요.",
]

ENGLISH = [
    "The quarterly report shows steady growth across all business units, driven by strong overseas demand.",
    "Researchers published a new dataset for evaluating reading comprehension in low-resource languages.",
    "The city council approved the budget after a long debate about public transport and housing.",
    "Volunteers cleaned the beach on Saturday morning and collected more than two hundred bags of plastic.",
]
CHINESE = "今天天气很好，我们去公园散步，然后在附近的餐厅吃了午饭。这个城市的交通非常方便，地铁可以到达大部分地方。"
JAPANESE = "今日はとても良い天気なので、友達と一緒に公園を散歩しました。駅の近くに新しいカフェができたそうです。"


PARTICLES = {"은": "는", "는": "은", "이": "가", "가": "이", "을": "를", "를": "을", "과": "와", "와": "과"}
_BATCHIM_FORM = {"은", "이", "을", "과"}  # the form used after a final consonant


def _fix_particles(text: str) -> str:
    """Templates say `{org}는`; make the particle agree with the inserted word's final consonant (은/는, 이/가...)."""
    for word in NAMES + PLACES + ORGS + TEAMS:
        has_batchim = (ord(word[-1]) - 0xAC00) % 28 != 0
        for particle, other in PARTICLES.items():
            if (particle in _BATCHIM_FORM) != has_batchim:
                text = text.replace(word + particle + " ", word + other + " ")
    return text


def fill(template: str, rng: random.Random) -> str:
    return _fix_particles(template.format(
        name=rng.choice(NAMES), place=rng.choice(PLACES), org=rng.choice(ORGS), team=rng.choice(TEAMS),
        q=rng.randint(1, 4), n=rng.randint(12, 980), p=rng.randint(2, 40), d=rng.randint(1, 28),
        r=rng.choice(["2.50", "2.75", "3.00", "3.25", "3.50"]), m=rng.randint(2, 9), t=rng.randint(1, 15),
        w=rng.choice(["2.0", "3.5", "4.0"]), a=rng.randint(3, 9), b=rng.randint(0, 2), i=rng.randint(5, 8),
        k=rng.randint(4, 11), lol=rng.choice(LOL), cry=rng.choice(CRY)))


def news(rng: random.Random) -> str:
    topic = rng.choice(sorted(NEWS_TOPICS))
    sentences = [fill(s, rng) for s in rng.sample(NEWS_TOPICS[topic], rng.randint(6, 9))]
    title = fill(rng.choice(HEADLINES[topic]), rng) if rng.random() < 0.3 else None
    byline = f"({rng.choice(PLACES)}=가상뉴스) {rng.choice(NAMES)} 기자 = " if rng.random() < 0.5 else ""
    paragraphs, i = [], 0
    while i < len(sentences):
        k = rng.randint(2, 3)
        paragraphs.append(" ".join(sentences[i:i + k]))
        i += k
    paragraphs[0] = byline + paragraphs[0]
    body = "\n\n".join(paragraphs)
    if rng.random() < 0.4:
        body += f"\n\n{rng.choice(NAMES)} 기자 reporter{rng.randint(1, 99)}@example.com\n무단전재 및 재배포 금지"
    return (title + "\n\n" + body) if title else body


def review_page(rng: random.Random) -> str:
    return "\n".join(fill(line, rng) for line in rng.sample(REVIEW_LINES, rng.randint(10, 18)))


def blog(rng: random.Random) -> str:
    text = "\n".join(fill(line, rng) for line in rng.sample(BLOG_LINES, rng.randint(7, 11)))
    if rng.random() < 0.5:  # HTML remnants from a careless crawl
        text = text.replace("\n", "<br>\n", 2).replace("요.", "요.&nbsp;", 1)
    return text


def with_pii(rng: random.Random) -> str:
    base = news(rng).split("\n\n")
    phone = f"010-{rng.randint(2000, 9999)}-{rng.randint(1000, 9999)}"
    mail = f"{rng.choice(['press', 'info', 'help', 'desk'])}{rng.randint(1, 999)}@example.co.kr"
    base.append(f"자세한 내용은 고객센터(02-{rng.randint(300, 999)}-{rng.randint(1000, 9999)})나 담당자 휴대전화 {phone}, "
                f"이메일 {mail}로 문의하면 된다.")
    return "\n\n".join(base)


def bullet_page(rng: random.Random) -> str:
    items = [fill(s, rng) for s in rng.sample(NEWS_TOPICS["economy"] + NEWS_TOPICS["tech"], 12)]
    return "\n".join(f"{rng.choice(['•', '-', '▶', '■'])} {item[:rng.randint(12, 30)]}" for item in items)


def hash_spam(rng: random.Random) -> str:
    tags = ["#맛집", "#여행", "#일상", "#데일리", "#소통", "#좋아요", "#맞팔", "#카페", "#먹스타그램", "#주말"]
    words = [w for line in rng.sample(BLOG_LINES, 3) for w in fill(line, rng).split()]
    return " ".join(words + [rng.choice(tags) for _ in range(len(words))])


def ellipsis_page(rng: random.Random) -> str:
    return "\n".join(fill(s, rng).split()[0] + " " + " ".join(fill(s, rng).split()[1:3]) + "..."
                     for s in rng.sample(NEWS_TOPICS["culture"] + NEWS_TOPICS["health"], 12))


def repeated_lines(rng: random.Random) -> str:
    line = fill(rng.choice(BLOG_LINES), rng)
    others = [fill(s, rng) for s in rng.sample(BLOG_LINES, 3)]
    return "\n".join(others + [line] * 8)


SPAM_LINES = [
    "신규 가입 즉시 꽁머니 지급! 안전 놀이터 메이저 사이트만 추천합니다",
    "먹튀 검증 완료된 토토 사이트 가입 코드 입력하면 첫충 20% 매충 10%",
    "무직자 대출 당일 대출 가능 신용 조회 없이 누구나 대출 상담 환영",
    "소액결제 현금화 상품권 현금화 최고 시세 24시간 상담 가능합니다",
    "실시간 배팅 스포츠 배팅 환전 보장 무제재 카지노 사이트 바로가기",
    "지금 바로 카톡 문의 주세요 상담은 언제나 친절하게 도와드립니다",
]


def spam_page(rng: random.Random) -> str:
    return "\n".join(rng.sample(SPAM_LINES, 5) + [fill(rng.choice(BLOG_LINES), rng)])


def short_doc(rng: random.Random) -> str:
    return rng.choice(["좋아요", "ㅋㅋㅋㅋㅋ", "감사합니다!", "사진 잘 봤어요 ㅎㅎ", "구독 눌렀습니다"])


def foreign(rng: random.Random) -> str:
    return rng.choice([" ".join(rng.sample(ENGLISH, 4)) * 2, CHINESE * 4, JAPANESE * 4])


def near_duplicate(text: str, rng: random.Random) -> str:
    lines = text.split("\n\n")
    lines[-1] = lines[-1] + " " + fill(rng.choice(NEWS_TOPICS["economy"]), rng)
    return "\n\n".join(lines)


MALFORMED = [
    '{"id": "broken-1", "source": "news", "text": "따옴표가 닫히지 않은 줄',
    '{"id": "broken-2", "source": "blog", "text": 12345}',
    '{"id": "broken-3", "source": "blog"}',
    '["이건", "객체가", "아니다"]',
    '{"id": "broken-4", "source": "news", "text": null}',
    'not json at all',
]


def generate(n_docs: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    kinds = [(news, "news", 0.42), (review_page, "reviews", 0.2), (blog, "blog", 0.1), (with_pii, "news", 0.08),
             (bullet_page, "web", 0.04), (hash_spam, "web", 0.03), (ellipsis_page, "web", 0.03),
             (repeated_lines, "web", 0.03), (short_doc, "comments", 0.04), (foreign, "web", 0.03),
             (spam_page, "web", 0.03)]
    fns, sources, weights = zip(*kinds)
    records, texts = [], []
    for i in range(n_docs):
        k = rng.choices(range(len(fns)), weights=weights)[0]
        text = fns[k](rng)
        if texts and rng.random() < 0.05:  # an exact repeat of an earlier document
            j = rng.randrange(len(texts))
            text, src = texts[j]
        elif texts and rng.random() < 0.04:
            j = rng.randrange(len(texts))
            text, src = near_duplicate(texts[j][0], rng), texts[j][1]
        else:
            src = sources[k]
        texts.append((text, src))
        records.append(json.dumps({"id": f"doc-{i:05d}", "source": src, "text": text}, ensure_ascii=False))
    for j, line in enumerate(MALFORMED):
        records.insert((j + 1) * len(records) // (len(MALFORMED) + 1), line)
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "sample", "corpus.jsonl"))
    parser.add_argument("--docs", type=int, default=320)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    records = generate(args.docs, args.seed)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(records) + "\n")
    print(f"wrote {len(records)} lines, {os.path.getsize(args.out):,} bytes to {os.path.normpath(args.out)}")


if __name__ == "__main__":
    main()
